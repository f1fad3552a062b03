"""The offline Windows bundle: dist/bansou-windows-<version>.zip (`make windows-bundle`).

The zip holds the project's wheel and every dependency as a win_amd64 or pure-Python wheel for
CPython 3.12, at the versions installed here (the ones the tests ran with), downloaded with
pip's --platform win_amd64 --only-binary=:all: so that the set is known to resolve; setup.cmd,
which makes a virtual environment with the py launcher and installs from those wheels (no
administrator rights, no network); a double-clickable .cmd for each daily command; and
「Windows での使い方.txt」. The bundle is checked before it is written: its wheels resolve for
Windows with --no-index, and every file staff need is in it.

    python tools/windows_bundle.py [DIST]      # needs the network (PyPI) for the download
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pipeline import __version__  # noqa: E402

PYTHON_VERSION = "3.12"  # the one CPython the bundle's wheels are for (setup.cmd asks for it)
PLATFORM = ("--platform", "win_amd64", "--python-version", PYTHON_VERSION,
            "--implementation", "cp", "--only-binary=:all:")
SOURCES = ROOT / "tools" / "windows"
HELPER = "common.cmd"
# What staff double-click or read: the check below fails if one is missing from the zip.
STAFF_FILES = ("setup.cmd", "受付を確認する.cmd", "選定を実行する.cmd", "申請用紙を作る.cmd",
               "次の募集回を始める.cmd", "Windows での使い方.txt")


def pip(*args: str | Path) -> None:
    subprocess.run([sys.executable, "-m", "pip", *map(str, args)], check=True)


def build(dist: Path) -> Path:
    """Write the bundle into ``dist``; returns the zip's path."""
    with tempfile.TemporaryDirectory() as work:
        wheels = Path(work) / "wheels"
        pip("wheel", ROOT, "--no-deps", "--quiet", "-w", wheels)
        (project,) = wheels.glob("bansou-*.whl")
        constraints = Path(work) / "tested.txt"
        constraints.write_text(_tested_versions(), encoding="utf-8")
        pip("download", *PLATFORM, "--quiet", "-c", constraints, "-d", wheels, project)
        check_resolves(wheels)
        name = f"bansou-windows-{__version__}"
        target = dist / f"{name}.zip"
        dist.mkdir(parents=True, exist_ok=True)
        with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as bundle:
            for wheel in sorted(wheels.glob("*.whl")):
                bundle.write(wheel, f"{name}/wheels/{wheel.name}")
            for source in sorted(SOURCES.iterdir()):
                bundle.writestr(f"{name}/{source.name}", _for_windows(source))
    check_contents(target)
    return target


def _tested_versions() -> str:
    """The versions installed here, as pip constraints: the bundle carries what was tested."""
    frozen = subprocess.run([sys.executable, "-m", "pip", "freeze", "--exclude-editable"],
                            check=True, capture_output=True, text=True).stdout
    return "".join(f"{line}\n" for line in frozen.splitlines()
                   if "==" in line and not line.lower().startswith("bansou=="))


def _for_windows(source: Path) -> bytes:
    """CRLF; .cmd files in cp932, the code page cmd.exe reads them in on Japanese Windows
    (each sets it with chcp 932); text with a BOM, so that Notepad reads it as UTF-8."""
    text = source.read_text(encoding="utf-8").replace("\r\n", "\n").replace("\n", "\r\n")
    return text.encode("cp932") if source.suffix == ".cmd" else text.encode("utf-8-sig")


def check_resolves(wheels: Path) -> None:
    """pip finds, among ``wheels`` only, an installable set for Windows (installs nothing)."""
    with tempfile.TemporaryDirectory() as nowhere:
        pip("install", "--dry-run", "--quiet", "--ignore-installed", "--target", nowhere,
            *PLATFORM, "--no-index", "--find-links", wheels, "bansou")


def check_contents(bundle: Path) -> None:
    """Every file staff use is in the zip, with the project's wheel of this version."""
    with zipfile.ZipFile(bundle) as archive:
        names = {name.split("/", 1)[1] for name in archive.namelist()}
    wanted = {*STAFF_FILES, HELPER, f"wheels/bansou-{__version__}-py3-none-any.whl"}
    if missing := wanted - names:
        raise SystemExit(f"{bundle} lacks {sorted(missing)}")
    unsuitable = [name for name in names if name.startswith("wheels/")
                  and not name.endswith(("-none-any.whl", "-cp312-win_amd64.whl",
                                         "-abi3-win_amd64.whl"))]
    if unsuitable:
        raise SystemExit(f"{bundle} has wheels that are not for CPython 3.12 on Windows: "
                         f"{unsuitable}")


if __name__ == "__main__":
    os.chdir(ROOT)
    built = build(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "dist")
    print(f"{built} ({built.stat().st_size // 1_000_000} MB)")
