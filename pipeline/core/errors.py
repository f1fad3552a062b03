"""The project's exceptions: a run that cannot complete raises one of these.

Problems in an applicant's form are not exceptions; they are rows
(see :mod:`pipeline.problems`).
"""

from __future__ import annotations


class BansouError(Exception):
    """Base class: the message is Japanese and meant for staff."""


class SettingsError(BansouError):
    """round.toml is missing, malformed or inconsistent."""


class InboxError(BansouError):
    """The inbox folder is missing or cannot be read."""


class OutputError(BansouError):
    """An output file cannot be written or replaced."""
