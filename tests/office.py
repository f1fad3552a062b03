"""LibreOffice (headless) and poppler, for tests that open our workbooks in a real office suite."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tools.office import INSTALL, convert, find_soffice, workbook_kinds

__all__ = ["convert", "pdf_fonts", "pdf_pages", "pdf_text", "soffice", "workbook_kinds"]


def soffice() -> str:
    """The soffice binary; skip (or, in CI, fail) when it is not installed."""
    found = find_soffice()
    missing = [tool for tool in ("pdfinfo", "pdftotext", "pdffonts") if not shutil.which(tool)]
    if found and not missing:
        return found
    message = f"LibreOffice または poppler がありません。次のコマンドで入れてください: {INSTALL}"
    if os.environ.get("CI") == "true":
        pytest.fail(message)
    pytest.skip(message)


def pdf_pages(pdf: Path) -> int:
    info = subprocess.run(["pdfinfo", str(pdf)], check=True, capture_output=True, text=True).stdout
    return int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))


def pdf_text(pdf: Path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(pdf), "-"], check=True,
                          capture_output=True, text=True).stdout


def pdf_fonts(pdf: Path) -> str:
    return subprocess.run(["pdffonts", str(pdf)], check=True, capture_output=True,
                          text=True).stdout
