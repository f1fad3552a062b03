"""hypothesis fuzzing of whole forms: random values in every field, random structural damage.
The run never raises, and every file is accounted for."""

from __future__ import annotations

import datetime as dt
import io
import tempfile
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from pipeline.core.formspec import CHECKLIST_FIELDS, SCALAR_FIELDS, item_key
from pipeline.core.settings import RoundSettings
from pipeline.core.settings_load import load_settings
from pipeline.demo import FormTemplate
from pipeline.run import run_round
from pipeline.stage3_write.form import write_form
from tests.conftest import ROUND_TOML
from tests.roundfactory import RUN_AT, new_inbox

pytestmark = pytest.mark.slow  # `make quick` leaves these out

ROOT = Path(__file__).resolve().parents[1]
KEYS = [f.key for f in SCALAR_FIELDS] + [item_key(f, i) for f in CHECKLIST_FIELDS for i in f.items]

values = st.one_of(
    st.none(),
    st.text(max_size=60),
    st.sampled_from(["○", "×", "=1+1", "+", "@", "-", "社協", "東京都新宿区", "６ヶ月", "H28.6.28"]),
    st.integers(min_value=-10**6, max_value=10**9),
    st.floats(allow_nan=False, allow_infinity=False, width=32),
    st.dates(min_value=dt.date(1900, 3, 1), max_value=dt.date(2100, 1, 1)),
)
damage = st.sampled_from(["none", "truncate", "drop_entry", "flip_bytes", "strip_labels"])


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> FormTemplate:
    blank = tmp_path_factory.mktemp("fuzz") / "申請用紙.xlsx"
    write_form(blank, load_settings(ROUND_TOML))
    return FormTemplate(blank)


@pytest.fixture(scope="module")
def round_settings() -> RoundSettings:
    return load_settings(ROUND_TOML)


def _damaged(data: bytes, how: str, where: float) -> bytes:
    if how == "truncate":
        return data[: int(len(data) * where)]
    if how == "flip_bytes":
        position = int(len(data) * where)
        return data[:position] + bytes(b ^ 0xFF for b in data[position:position + 16]) + data[position + 16:]
    source = zipfile.ZipFile(io.BytesIO(data))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        names = source.namelist()
        for n, name in enumerate(names):
            content = source.read(name)
            if how == "drop_entry" and n == int(where * (len(names) - 1)):
                continue
            if how == "strip_labels" and name == "xl/sharedStrings.xml":
                content = content.replace("申請".encode(), b"").replace("団体".encode(), b"")
            target.writestr(name, content)
    return buffer.getvalue()


@settings(max_examples=20, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(forms=st.lists(st.tuples(st.dictionaries(st.sampled_from(KEYS), values, max_size=len(KEYS)),
                                damage, st.floats(min_value=0.05, max_value=0.95)),
                      min_size=1, max_size=3))
def test_any_form_is_accounted_for(template: FormTemplate, round_settings: RoundSettings,
                                   forms: list[tuple[dict[str, object], str, float]]) -> None:
    with tempfile.TemporaryDirectory() as directory:
        inbox = Path(directory) / "inbox"
        inbox.mkdir()
        for n, (filled, how, where) in enumerate(forms):
            path = inbox / f"form{n}.xlsx"
            template.fill(path, filled)
            path.write_bytes(_damaged(path.read_bytes(), how, where))
        result = run_round(inbox, Path(directory) / "outbox", round_settings, RUN_AT)
        assert sorted(result.ledger["file"]) == [f"form{n}.xlsx" for n in range(len(forms))]
        assert result.ledger["reason"].str.len().gt(0).all()


@pytest.fixture(scope="module")
def judged_round(tmp_path_factory: pytest.TempPathFactory, blank_dir: Path,
                 round_settings: RoundSettings) -> tuple[Path, Path]:
    """Two good forms, and the review sheet a first run wrote for them."""
    from tests.formfactory import make_form
    from tests.roundfactory import org

    inbox = new_inbox(tmp_path_factory, "fuzz_staff")
    directory = inbox.parent
    make_form(inbox / "a.xlsx", org("エーの会", "新宿区"), blank_dir=blank_dir)
    make_form(inbox / "b.xlsx", org("ビーの会", "八王子市"), blank_dir=blank_dir)
    run_round(inbox, directory / "outbox", round_settings, RUN_AT)
    return inbox, directory / "outbox" / "審査票.xlsx"


def _typable(value: object) -> object:
    """What a person can type in a cell (openpyxl refuses control characters)."""
    return ILLEGAL_CHARACTERS_RE.sub("", value) if isinstance(value, str) else value


typed = values.map(_typable)
names = st.one_of(st.sampled_from(["a.xlsx", "a", "Ａ.XLSX", "b.xlsx", "c.xlsx", " b.xlsx "]),
                  st.text(max_size=20).map(_typable))


@settings(max_examples=15, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(register=st.lists(st.tuples(names, typed), max_size=5),
       scores=st.dictionaries(st.sampled_from(["a.xlsx", "b.xlsx"]),
                              st.tuples(typed, typed, typed), max_size=2),
       reviewer=st.one_of(st.none(), st.text(max_size=10).map(_typable)),
       damage_register=damage, damage_review=damage, where=st.floats(0.05, 0.95))
def test_any_register_and_review_sheet_are_accounted_for(
        judged_round: tuple[Path, Path], round_settings: RoundSettings,
        register: list[tuple[object, object]], scores: dict[str, tuple[object, object, object]],
        reviewer: str | None, damage_register: str, damage_review: str, where: float) -> None:
    """Whatever staff type in the register and reviewers in their sheets, and however the two
    files are damaged, the round completes with both forms judged and every remark in words."""
    import shutil

    from tests.roundfactory import fill_review, make_register

    inbox, review_blank = judged_round
    with tempfile.TemporaryDirectory() as directory:
        here = Path(directory) / "inbox"
        shutil.copytree(inbox, here)
        register_path = make_register(here / "受付簿.xlsx", register)
        register_path.write_bytes(_damaged(register_path.read_bytes(), damage_register, where))
        sheet = fill_review(review_blank, here / "審査" / "審査票_甲.xlsx", reviewer, scores)
        sheet.write_bytes(_damaged(sheet.read_bytes(), damage_review, where))
        result = run_round(here, Path(directory) / "outbox", round_settings, RUN_AT)
        assert sorted(result.ledger["file"]) == ["a.xlsx", "b.xlsx"]
        assert all(note.text.strip() for note in result.notes)
        assert result.problems["message"].str.len().gt(0).all()
