from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import settings as hypothesis_settings

from pipeline.core.settings import RoundSettings
from pipeline.core.settings_load import load_settings
from pipeline.stage3_write.form import write_form

# Frozen settings for every test: staff edit the shipped round.toml each round, and the
# tests must not change with it (tests/test_settings.py checks that the shipped one loads).
ROUND_TOML = Path(__file__).parent / "fixtures" / "round.toml"


@pytest.fixture(scope="session")
def settings() -> RoundSettings:
    return load_settings(ROUND_TOML)


@pytest.fixture
def inbox(tmp_path: Path) -> Path:
    """An empty inbox/ for one test (its outbox/ goes beside it)."""
    folder = tmp_path / "inbox"
    folder.mkdir()
    return folder


@pytest.fixture(scope="session")
def blank_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("blank")
    write_form(directory / "申請用紙.xlsx", load_settings(ROUND_TOML))
    return directory


# Timing varies on shared CI machines; hypothesis checks behaviour, not speed.
hypothesis_settings.register_profile("project", deadline=None)
hypothesis_settings.load_profile("project")
