"""Render the first page of every workbook kind we write to PNG, to look at them.

    make render        # writes renders/*.png (not kept in git)

Needs LibreOffice and poppler (see tests/office.py for the packages).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pipeline.demo import prepare_directory, run_demo  # noqa: E402
from pipeline.settings import load_settings  # noqa: E402
from tests.office import convert  # noqa: E402


def main() -> None:
    renders = ROOT / "renders"
    shutil.rmtree(renders, ignore_errors=True)
    work = renders / "demo"
    prepare_directory(work)
    demo, _ = run_demo(work, load_settings(ROOT / "round.toml"))
    outbox = demo.outbox
    kinds = {
        "申請用紙": outbox / "申請用紙.xlsx",
        "選定結果": outbox / "選定結果.xlsx",
        "計画書": sorted((outbox / "計画").iterdir())[0],
        "審査票": outbox / "審査票.xlsx",
        "差戻し": next(p for p in sorted((outbox / "差戻し").iterdir()) if p.suffix == ".xlsx"
                     and "中央区" in p.name),
    }
    for label, workbook in kinds.items():
        pdf = convert(workbook, "pdf", renders / "pdf")
        subprocess.run(["pdftoppm", "-png", "-r", "80", "-f", "1", "-l", "1", str(pdf),
                        str(renders / label)], check=True)
    for png in sorted(renders.glob("*.png")):
        print(png.relative_to(ROOT))


if __name__ == "__main__":
    main()
