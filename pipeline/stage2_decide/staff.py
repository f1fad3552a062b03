"""Staff decisions on record (受付簿.xlsx, sheet 事務局判断): what only staff can decide.

Each row names a file, one of the words in :data:`ACTIONS`, a reason, its author and a date.
The run applies every decision it can, shows it on the file's row and in 概要 as the staff's,
and never decides these itself; a row it cannot apply (an unknown file or word, no reason or
author, two decisions for one file) is a register problem that keeps the ranking 暫定.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import pandas as pd

from pipeline.core import domain
from pipeline.core.filekey import FileIndex
from pipeline.core.notes import Note
from pipeline.core.records import DECISION_LABELS, StaffDecisionRow
from schemas.selection import STAFF_DECISION

EXCLUDE, ELIGIBLE, INELIGIBLE, RESUBMISSION = "exclude", "eligible", "ineligible", "resubmission"
# The words staff write in 判断 → what the run does with the file.
ACTIONS = {"除外": EXCLUDE, "適格": ELIGIBLE, "不適格": INELIGIBLE, "再提出として扱う": RESUBMISSION}
_WORDS = {action: word for word, action in ACTIONS.items()}


@dataclass(frozen=True)
class Ruling:
    """A staff decision the run applies."""

    file: str
    action: str  # a value of ACTIONS
    reason: str
    author: str
    date: str
    cell: str  # where it is written, e.g. 事務局判断!B3
    original: str | None = None  # RESUBMISSION: the file this one resubmits

    def shown(self) -> str:
        """As the file's row and 概要 show it: the staff's decision, with its reason and author."""
        what = _WORDS[self.action] + (f"（元のファイル: {self.original}）" if self.original else "")
        when = f"、{self.date}" if self.date else ""
        return f"事務局判断「{what}」：{self.reason}（{self.author}{when}、{self.cell}）"


@dataclass
class Rulings:
    by_file: dict[str, Ruling] = field(default_factory=dict)
    notes: list[Note] = field(default_factory=list)  # for 概要
    provisional: list[Note] = field(default_factory=list)  # reasons the ranking is 暫定

    def files(self, action: str) -> set[str]:
        return {file for file, ruling in self.by_file.items() if ruling.action == action}


def resolve(rows: Sequence[StaffDecisionRow], files: Iterable[str], source: str | None
            ) -> Rulings:
    """Each row checked and matched with an inbox file (names as in the register)."""
    index = FileIndex(files)
    rulings = Rulings()
    seen: dict[str, StaffDecisionRow] = {}

    def cannot(row: StaffDecisionRow, why: Note) -> None:
        rulings.notes.append(Note.of("ruling_cannot", source=source, cell=row.action_cell, why=why))
        rulings.provisional.append(Note.of("ruling_not_applicable", cell=row.action_cell, why=why))

    for row in rows:
        action = ACTIONS.get("".join(row.action.split()))
        if action is None:
            cannot(row, Note.of("ruling_word_unknown", label=DECISION_LABELS["action"],
                                word=row.action, words="・".join(ACTIONS)))
            continue
        if not row.reason or not row.author:
            cannot(row, Note.of("ruling_unsigned", reason=DECISION_LABELS["reason"],
                                author=DECISION_LABELS["author"]))
            continue
        found = _one(index, row.file, DECISION_LABELS["file"])
        if isinstance(found, Note):
            cannot(row, found)
            continue
        original = None
        if action == RESUBMISSION:
            named = _one(index, row.original or "", DECISION_LABELS["original"])
            if isinstance(named, Note) or named == found:
                cannot(row, Note.of("ruling_original_unknown", why=named if isinstance(named, Note)
                                    else Note.of("ruling_original_itself",
                                                 label=DECISION_LABELS["original"], typed=row.original)))
                continue
            original = named
        if found in seen:
            cannot(row, Note.of("ruling_twice", file=found, first=seen[found].action_cell))
            rulings.by_file.pop(found, None)
            continue
        seen[found] = row
        rulings.by_file[found] = Ruling(found, action, row.reason, row.author, row.date or "",
                                        row.action_cell, original)
    rulings.notes.extend(Note.of("ruling_applied", file=ruling.file, ruling=ruling.shown())
                         for ruling in rulings.by_file.values())
    return rulings


def _one(index: FileIndex, typed: str, label: str) -> str | Note:
    """The one file a name typed under ``label`` means, or why there is none."""
    found = index.find(typed) if typed else []
    if len(found) == 1:
        return found[0]
    if found:
        return Note.of("ruling_file_many", label=label, typed=typed, files=tuple(found))
    return Note.of("ruling_file_none", label=label, typed=typed)


def apply_eligibility(received: pd.DataFrame, eligible: pd.DataFrame, ineligible: pd.DataFrame,
                      rulings: Rulings) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The staff's 適格 and 不適格 over the rules' verdict. A file ruled 適格 is ranked
    whatever rule it failed (a late file accepted for a documented reason), so long as it
    names one of the 62 municipalities and an allowed type — a ranking needs both; one ruled
    不適格 is refused with the staff's reason. A 適格 that cannot be applied leaves ``rulings``
    (it is no longer a ruling; its cell is a note and a 暫定 reason there)."""
    accept = rulings.files(ELIGIBLE) & set(ineligible["file"])
    refuse = rulings.files(INELIGIBLE) & set(eligible["file"])
    rows = received[received["file"].isin(accept)]
    rankable = (rows["municipality"].isin(domain.MUNICIPALITIES)
                & rows["org_type"].isin(list(domain.ORG_TYPES.values())))
    for file in rows.loc[~rankable, "file"]:
        ruling = rulings.by_file.pop(file)
        rulings.notes.append(Note.of("ruling_unrankable", cell=ruling.cell, file=file))
        rulings.provisional.append(Note.of("ruling_not_rankable", cell=ruling.cell, file=file))
    accepted = rows[rankable].assign(
        area=lambda df: df["municipality"].map(domain.MUNICIPALITY_AREA))
    refused = pd.DataFrame(
        [(file, org_name, STAFF_DECISION, rulings.by_file[file].shown())
         for file, org_name in eligible.loc[eligible["file"].isin(refuse),
                                            ["file", "org_name"]].itertuples(index=False)],
        columns=ineligible.columns)
    eligible = pd.concat([eligible[~eligible["file"].isin(refuse)], accepted[eligible.columns]],
                         ignore_index=True)
    ineligible = pd.concat([ineligible[~ineligible["file"].isin(accepted["file"])], refused],
                           ignore_index=True)
    return eligible, ineligible
