"""The Windows bundle's own files (tools/windows): what `make windows-bundle` zips. The zip itself
is built and checked by that target (CI runs it; it downloads the Windows wheels)."""

from __future__ import annotations

from tools.windows_bundle import HELPER, SOURCES, STAFF_FILES, _for_windows


def test_every_file_staff_use_is_there_and_nothing_else() -> None:
    assert {p.name for p in SOURCES.iterdir()} == {*STAFF_FILES, HELPER}


def test_each_command_file_reads_on_a_japanese_console_and_waits_before_closing() -> None:
    for source in SOURCES.glob("*.cmd"):
        text = _for_windows(source).decode("cp932")  # as cmd.exe reads it after chcp 932
        assert "\r\n" in text and "\n" not in text.replace("\r\n", ""), source.name
        lines = [line.strip() for line in text.splitlines() if line.strip()]
        if source.name != HELPER:  # double-clicked: the window stays until a key is pressed
            assert "chcp 932 > nul" in lines[:3], source.name
            assert lines[-1] == "pause", source.name


def test_setup_installs_from_the_bundle_alone_without_administrator_rights() -> None:
    setup = _for_windows(SOURCES / "setup.cmd").decode("cp932")
    assert "py -3.12 -m venv .venv" in setup  # in the bundle's folder: the user's own
    assert "--no-index --find-links wheels" in setup
    assert "管理者権限" in setup


def test_the_guide_opens_in_notepad_as_japanese() -> None:
    guide = _for_windows(SOURCES / "Windows での使い方.txt")
    assert guide.startswith(b"\xef\xbb\xbf") and "setup.cmd" in guide.decode("utf-8-sig")
