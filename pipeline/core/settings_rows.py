"""The round's settings as 概要 shows them: (項目, 値) rows in Japanese."""

from __future__ import annotations

from pipeline import __version__
from pipeline.core.processes import LIMITS_TEXT
from pipeline.core.settings import REVIEW_SCORES, TIE_BREAKS, AutoCriterion, RoundSettings


def overview_rows(settings: RoundSettings) -> list[tuple[str, str]]:
    """The settings as (項目, 値) rows for 概要."""
    rows = [
        ("募集回", settings.name),
        ("締切", settings.deadline.strftime("%Y年%m月%d日 %H:%M（日本時間）")),
        ("選定数の上限", f"{settings.max_districts}件"),
        ("1区市町村あたりの上限", f"{settings.max_per_municipality}件"),
        ("審査の相違とみなす差", f"{settings.disagreement_threshold}点以上"),
        ("同点時の順位", " → ".join(TIE_BREAKS[t] for t in settings.tie_break)),
    ]
    rows += [(f"配点：{c.label}", f"{settings.auto_max(c)}点（自動：{rule_text(c)}）")
             for c in settings.auto]
    rows += [(f"配点：{c.label}", f"{c.weight * max(REVIEW_SCORES)}点（審査 1〜5点×{c.weight}）")
             for c in settings.review]
    rows.append(("満点", f"{settings.max_total}点"))
    if any(c.rule == "menu_fit" for c in settings.auto):
        rows += [(f"メニューの適合：{category}", "、".join(menus) or "（点は付きません）")
                 for category, menus in settings.menu_fit.items()]
    # not settings of the round, but what 概要 shows beside them: the tool that ran it
    rows += [("ツールの版", f"bansou {__version__}"), ("読み込みの上限", LIMITS_TEXT)]
    return rows


def rule_text(criterion: AutoCriterion) -> str:
    """How an automatic criterion's points are earned, as 概要 explains it."""
    return {
        "commitments": f"実施体制の○1つにつき{criterion.points}点",
        "pre_consultation": f"事前相談「あり」で{criterion.points}点",
        "partners": f"連携先の記入があれば{criterion.points}点（「なし」「－」などは記入なし）",
        "menu_fit": f"取組課題の区分に合う支援メニューを1つ以上選んでいれば{criterion.points}点"
                    "。区分ごとのメニューは下の「メニューの適合」の行",
    }[criterion.rule]
