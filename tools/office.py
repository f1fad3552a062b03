"""LibreOffice (headless), to open our workbooks in a real office suite: `make render` and
the office tests use it."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

INSTALL = "sudo apt-get install libreoffice-calc-nogui fonts-noto-cjk poppler-utils"
_PROFILE = Path(tempfile.gettempdir()) / f"bansou-lo-profile-{os.getuid()}"


def find_soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def convert(path: Path, target: str, outdir: Path) -> Path:
    """``soffice --convert-to``; returns the converted file."""
    found = find_soffice()
    if found is None:
        raise RuntimeError(f"LibreOffice がありません。次のコマンドで入れてください: {INSTALL}")
    outdir.mkdir(parents=True, exist_ok=True)
    subprocess.run([found, f"-env:UserInstallation=file://{_PROFILE}", "--headless",
                    "--norestore", "--convert-to", target, "--outdir", str(outdir), str(path)],
                   check=True, capture_output=True, timeout=180)
    extension = target.split(":")[0]
    converted = outdir / f"{path.stem}.{extension}"
    if not converted.exists():
        raise RuntimeError(f"LibreOffice could not convert {path.name} to {target}")
    return converted


def workbook_kinds(outbox: Path) -> dict[str, Path]:
    """One workbook of every kind a demo round writes, by its Japanese name."""
    return {
        "申請用紙": outbox / "申請用紙.xlsx",
        "選定結果": outbox / "選定結果.xlsx",
        "計画書": sorted((outbox / "計画").iterdir())[0],
        "審査票": outbox / "審査票.xlsx",
        "差戻し": next(p for p in sorted((outbox / "差戻し").iterdir()) if p.suffix == ".xlsx"
                     and "中央区" in p.name),
    }
