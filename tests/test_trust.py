"""docs/TRUST.md is the trust model: each rule names its source, and the code it names exists."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TRUST = ROOT / "docs" / "TRUST.md"


def _sources(text: str) -> dict[str, str]:
    section = text.split("Sources:", 1)[1].split("## Rules", 1)[0]
    return dict(re.findall(r"^- `([^`]+)` — .*\(`([^`]+)`\)$", section, re.MULTILINE))


def _rules(text: str) -> list[list[str]]:
    table = text.split("## Rules", 1)[1].split("##", 1)[0]
    rows = [line for line in table.splitlines() if re.match(r"^\| \d+ \|", line)]
    return [[cell.strip() for cell in row.strip("|").split("|")] for row in rows]


def test_every_rule_names_a_listed_source_and_existing_code() -> None:
    text = TRUST.read_text(encoding="utf-8")
    sources = _sources(text)
    assert set(sources) == {"register", "staff decision", "review sheets", "round.toml",
                            "issued record", "visible form", "issued plan"}
    for module in sources.values():
        assert (ROOT / module).is_file(), module
    rules = _rules(text)
    assert [int(rule[0]) for rule in rules] == list(range(1, len(rules) + 1))
    assert len(rules) >= 12
    for number, what, source, never, where in rules:
        assert source in sources, f"rule {number} names no listed source: {source}"
        assert what and never, f"rule {number} says what it decides and what it never trusts"
        assert (ROOT / where.strip("`")).is_file(), f"rule {number}: {where}"


def test_the_readme_points_to_the_trust_model() -> None:
    assert "docs/TRUST.md" in (ROOT / "README.md").read_text(encoding="utf-8")
