"""Windows, simulated on Linux (tests/test_windows.py puts this folder first on PYTHONPATH,
so every process of a run, the spawned workers too, starts with it): the POSIX-only modules
are missing and worker processes are spawned, not forked. The console's encoding is the
test's PYTHONIOENCODING=cp932 (a Japanese Windows console, redirected)."""

import multiprocessing
import sys

for posix_only in ("fcntl", "resource"):
    sys.modules[posix_only] = None  # type: ignore[assignment]  # `import fcntl` → ImportError
multiprocessing.set_start_method("spawn", force=True)
