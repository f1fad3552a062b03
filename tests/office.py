"""LibreOffice (headless) and poppler, for tests that open our workbooks in a real office suite."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tools.office import INSTALL, convert, find_soffice, workbook_kinds

__all__ = ["add_eligible_forms", "convert", "pdf_fonts", "pdf_pages", "pdf_text", "soffice",
           "workbook_kinds"]


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


def add_eligible_forms(inbox: Path, count: int, blank_dir: Path) -> list[Path]:
    """``count`` valid forms of different organisations, one per municipality in turn."""
    from pipeline.core import domain, postal
    from tests.formfactory import make_form, with_values

    codes = postal.tokyo_codes()
    forms = []
    for n in range(count):
        municipality = domain.MUNICIPALITIES[n % len(domain.MUNICIPALITIES)]
        forms.append(make_form(inbox / f"申請{n:02d}.xlsx", with_values({
            "団体名": f"第{n}地域福祉ネットワーク", "区市町村": municipality,
            "郵便番号": codes[municipality][0], "所在地": f"東京都{municipality}1-1"}),
            blank_dir=blank_dir))
    return forms
