from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import settings as hypothesis_settings

from pipeline.form import write_form


@pytest.fixture(scope="session")
def blank_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("blank")
    write_form(directory / "申請用紙.xlsx")
    return directory


# Timing varies on shared CI machines; hypothesis checks behaviour, not speed.
hypothesis_settings.register_profile("project", deadline=None)
hypothesis_settings.load_profile("project")
