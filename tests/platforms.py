"""Skip markers for tests that need what only some platforms have, each saying why. The rest
of the suite runs anywhere; tests/test_windows.py runs a round as Windows would."""

from __future__ import annotations

import importlib.util
import os
import signal
import sys
from pathlib import Path

import pytest

needs_fork = pytest.mark.skipif(
    not hasattr(os, "fork"), reason="a monkeypatched reader reaches the workers only by fork "
                                    "(Windows starts them with spawn)")
needs_sigkill = pytest.mark.skipif(
    not hasattr(signal, "SIGKILL"), reason="kills a run with SIGKILL (POSIX; Windows has none)")
needs_fifo = pytest.mark.skipif(
    not hasattr(os, "mkfifo"), reason="named pipes (mkfifo) and /dev/zero are POSIX")
needs_symlinks = pytest.mark.skipif(
    sys.platform == "win32", reason="symbolic links need administrator rights or developer "
                                    "mode on Windows")
needs_cpu_limit = pytest.mark.skipif(
    importlib.util.find_spec("resource") is None,
    reason="CPU time limits need the resource module (Linux, macOS; not Windows)")
needs_memory_limit = pytest.mark.skipif(
    importlib.util.find_spec("resource") is None or not Path("/proc/self/status").exists(),
    reason="the workers' memory limit needs RLIMIT_AS and /proc (Linux only)")
needs_proc = pytest.mark.skipif(
    not Path("/proc").is_dir(), reason="needs /proc to find the workers (Linux)")
