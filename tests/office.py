"""LibreOffice (headless) and poppler, for tests that open our workbooks in a real office suite."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

INSTALL = "sudo apt-get install libreoffice-calc-nogui fonts-noto-cjk poppler-utils"
_PROFILE = Path(tempfile.gettempdir()) / f"bansou-lo-profile-{os.getuid()}"


def soffice() -> str:
    """The soffice binary; skip (or, in CI, fail) when it is not installed."""
    found = shutil.which("soffice") or shutil.which("libreoffice")
    missing = [tool for tool in ("pdfinfo", "pdftotext", "pdffonts") if not shutil.which(tool)]
    if found and not missing:
        return found
    message = f"LibreOffice または poppler がありません。次のコマンドで入れてください: {INSTALL}"
    if os.environ.get("CI") == "true":
        pytest.fail(message)
    pytest.skip(message)


def convert(path: Path, target: str, outdir: Path) -> Path:
    """``soffice --convert-to``; returns the converted file."""
    outdir.mkdir(parents=True, exist_ok=True)
    subprocess.run([soffice(), f"-env:UserInstallation=file://{_PROFILE}", "--headless",
                    "--norestore", "--convert-to", target, "--outdir", str(outdir), str(path)],
                   check=True, capture_output=True, timeout=180)
    extension = target.split(":")[0]
    converted = outdir / f"{path.stem}.{extension}"
    assert converted.exists(), f"LibreOffice could not convert {path.name} to {target}"
    return converted


def pdf_pages(pdf: Path) -> int:
    info = subprocess.run(["pdfinfo", str(pdf)], check=True, capture_output=True, text=True).stdout
    return int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))


def pdf_text(pdf: Path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(pdf), "-"], check=True,
                          capture_output=True, text=True).stdout


def pdf_fonts(pdf: Path) -> str:
    return subprocess.run(["pdffonts", str(pdf)], check=True, capture_output=True,
                          text=True).stdout


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
