"""The project's exceptions: a run that cannot complete raises one of these.

Problems in an applicant's form are not exceptions; they are rows
(see :mod:`pipeline.core.problems`).
"""

from __future__ import annotations

import errno


class BansouError(Exception):
    """Base class: the message is Japanese and meant for staff."""


class SettingsError(BansouError):
    """round.toml is missing, malformed or inconsistent."""


class InboxError(BansouError):
    """The inbox folder is missing or cannot be read."""


class OutputError(BansouError):
    """An output file cannot be written or replaced."""


# What the system's refusals mean, in the words staff read (the system's own text is English).
_OS_REASONS = {
    errno.ENOSPC: "ディスクの空きがありません",
    errno.EDQUOT: "使える容量の上限に達しました",
    errno.EACCES: "アクセスが許可されていません",
    errno.EPERM: "操作が許可されていません",
    errno.EROFS: "読み取り専用の場所です",
    errno.ENOENT: "見つかりません",
    errno.EISDIR: "フォルダです",
    errno.ENOTDIR: "途中にフォルダでないものがあります",
    errno.EEXIST: "同じ名前のものがあります",
    errno.EBUSY: "ほかのプログラムが使用中です",
    errno.ENAMETOOLONG: "名前が長すぎます",
    errno.EIO: "ディスクの読み書きに失敗しました",
}


def os_reason(error: OSError) -> str:
    """Why the system refused, in Japanese; the system's own words when we have none."""
    return _OS_REASONS.get(error.errno or 0, error.strerror or str(error))
