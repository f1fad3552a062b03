"""The built wheel works on its own (`make package-check`; CI runs it).

Builds the project's wheel and its dependencies' wheels (at the versions installed here),
installs them with --no-index into a fresh virtual environment in a temporary folder, and runs
there, with no file of the repository in reach: `bansou --version`, `bansou demo DIR`,
`bansou form`, `bansou new-round DIR` and `bansou run --round DIR`.

    python tools/package_check.py      # needs the network (PyPI) for the dependencies' wheels
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pipeline import __version__  # noqa: E402
from tools.windows_bundle import _tested_versions  # noqa: E402


def main() -> None:
    with tempfile.TemporaryDirectory() as work:
        top = Path(work)
        wheels, venv, office = top / "wheels", top / "venv", top / "office"
        constraints = top / "tested.txt"
        constraints.write_text(_tested_versions(), encoding="utf-8")
        _run(sys.executable, "-m", "pip", "wheel", "--quiet", "-c", constraints, "-w", wheels, ROOT)
        _run(sys.executable, "-m", "venv", venv)
        scripts = venv / ("Scripts" if os.name == "nt" else "bin")
        # nothing from this environment in reach: what is found is what was installed
        env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
        _run(scripts / "python", "-m", "pip", "install", "--quiet", "--no-index",
             "--find-links", wheels, "bansou", env=env)
        office.mkdir()
        bansou = scripts / "bansou"

        def command(*args: str) -> str:
            return _run(bansou, *args, cwd=office, env=env)

        assert command("--version").strip() == f"bansou {__version__}"
        installed = _run(scripts / "python", "-c", "import pipeline; print(pipeline.__file__)",
                         cwd=office, env=env)
        assert Path(installed.strip()).is_relative_to(venv), installed  # not the repository's
        command("demo", "見本")
        assert (office / "見本" / "outbox" / "選定結果.xlsx").is_file()
        assert "付属の見本の設定" in command("form")  # no round.toml here: said, then made
        assert (office / "outbox" / "申請用紙.xlsx").is_file()
        command("new-round", "募集回/2017")
        assert (office / "募集回" / "2017" / "templates" / "差戻し.txt").is_file()
        command("form", "--round", "募集回/2017")
        assert "順位: 暫定" in command("run", "--round", "募集回/2017")
        print(f"bansou {__version__}: the wheel installed alone runs demo, form, new-round, run")


def _run(*args: str | Path, **options: object) -> str:
    done = subprocess.run([str(a) for a in args], capture_output=True, text=True,
                          encoding="utf-8", **options)  # type: ignore[call-overload]
    if done.returncode:
        raise SystemExit(f"{' '.join(map(str, args))} failed ({done.returncode}):\n"
                         f"{done.stdout}{done.stderr}")
    return str(done.stdout)


if __name__ == "__main__":
    main()
