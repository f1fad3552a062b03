"""Render the first page of every workbook kind we write to PNG, to look at them.

    make render        # writes renders/*.png (not kept in git)

Needs LibreOffice and poppler (see tools/office.py for the packages).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pipeline.core.settings import SHIPPED_ROUND  # noqa: E402
from pipeline.core.settings_load import load_settings  # noqa: E402
from pipeline.demo import prepare_directory, run_demo  # noqa: E402
from tools.office import convert, workbook_kinds  # noqa: E402


def main() -> None:
    renders = ROOT / "renders"
    shutil.rmtree(renders, ignore_errors=True)
    work = renders / "demo"
    prepare_directory(work)
    demo, _ = run_demo(work, load_settings(SHIPPED_ROUND))
    kinds = workbook_kinds(demo.outbox)
    for label, workbook in kinds.items():
        pdf = convert(workbook, "pdf", renders / "pdf")
        subprocess.run(["pdftoppm", "-png", "-r", "80", "-f", "1", "-l", "1", str(pdf),
                        str(renders / label)], check=True)
    for png in sorted(renders.glob("*.png")):
        print(png.relative_to(ROOT))


if __name__ == "__main__":
    main()
