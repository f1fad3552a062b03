"""The [support] section of round.toml: how many sessions a plan's month expects, and when a
month counts as passed. Every key is optional; the defaults are the program's usual pace."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from pipeline.core.domain import MENUS

if TYPE_CHECKING:
    from pipeline.core.settings_check import _Reader

_KEYS = ("sessions_per_month", "menu_sessions", "grace_days")


@dataclass(frozen=True)
class SupportSettings:
    """Expected sessions: a month marked in a plan's schedule (●, ○ …) expects
    ``menu_sessions[menu]`` sessions, else ``sessions_per_month``; a number typed in the month's
    cell overrides both. A month is passed ``grace_days`` days after its last day."""

    sessions_per_month: int = 1
    menu_sessions: dict[str, int] = field(default_factory=dict)
    grace_days: int = 0

    def expected(self, activity: str) -> int:
        return self.menu_sessions.get(activity, self.sessions_per_month)

    def as_rows(self) -> list[tuple[str, str]]:
        """The settings as (項目, 値) rows for 概要 of 進捗.xlsx."""
        rows = [("予定の月に1メニューあたりの支援回数", f"{self.sessions_per_month}回"),
                ("月の予定を「遅れ」とするまでの日数", f"月末から{self.grace_days}日")]
        rows += [(f"予定の回数：{menu}", f"{count}回") for menu, count in self.menu_sessions.items()]
        return rows


def parse_support(reader: _Reader, top: dict[str, Any]) -> SupportSettings:
    """[support] as round.toml gives it (absent: the defaults); mistakes go to ``reader``."""
    if "support" not in top:
        return SupportSettings()
    table = reader.table(top, "support", _KEYS)
    defaults = SupportSettings()
    menu_sessions: dict[str, int] = {}
    if "menu_sessions" in table:
        menus = reader.table(table, "support.menu_sessions", tuple(MENUS))
        menu_sessions = {menu: reader.integer(menus, menu, 0, 20,
                                              where="support.menu_sessions.")
                         for menu in MENUS if menu in menus}
    return SupportSettings(
        sessions_per_month=(reader.integer(table, "support.sessions_per_month", 1, 20)
                            if "sessions_per_month" in table else defaults.sessions_per_month),
        menu_sessions=menu_sessions,
        grace_days=(reader.integer(table, "support.grace_days", 0, 60)
                    if "grace_days" in table else defaults.grace_days),
    )
