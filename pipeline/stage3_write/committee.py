"""選定会議資料: the paper a selection committee decides from, printed on A4 landscape at 10 pt.

Each application takes two rows: its numbers (rank, 判定, each criterion's points against its
maximum, each reviewer's total, the spread) and below them its texts in full (取組課題, 目指す成果,
the chosen menus, the reviewers' comments, why 選外 or 暫定). A thick red line runs under the last
selected application; the title (with 【暫定】) and both heading rows repeat on every page.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

import pandas as pd
from xlsxwriter.format import Format
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from pipeline.core.points import row_sums, shown_number, shown_text
from pipeline.core.result import RoundResult
from pipeline.core.settings import REVIEW_SCORES, RoundSettings
from pipeline.stage3_write.xlsx import (
    DECISION_COLOURS,
    fmt,
    print_setup,
    row_height,
    text_width,
    words_wrapped_lines,
    write_text,
)
from schemas.selection import SELECTED, points_column

COMMITTEE_SHEET = "選定会議資料"
PROVISIONAL_MARK = "【暫定】"
PREVIOUSLY_SELECTED = "○"
CONFLICT = "利害"
NOT_SCORED = "未"
SHORT_TYPES = {"区市町村（介護予防・日常生活支援総合事業担当部署等）": "区市町村",
               "区市町村社会福祉協議会": "社協", "地域包括支援センター": "包括",
               "その他（NPO支援センター等）": "その他"}
SELECTION_LINE = "#C00000"
COMMENT_LIMIT = 40  # characters of a reviewer's comment shown (the whole is in 審査内訳)
# Applications on the paper, in rank order: more than a committee reads, and about what a sheet's
# 1,023 page breaks (Excel's limit) can keep whole. The rest are in 選定順位; the legend says so.
# (At 10,000 applications the whole paper would cost its workbook 2.5 s more to write.)
PAPER_LIMIT = 1000
# Excel column widths of the numbers row. 団体名 takes what the page has left: the whole row
# fits A4 landscape (0.3 inch side margins) at 100 %, so it prints at 10 pt.
_PAGE_WIDTH = 110
_POINTS_WIDTH = 5.5
_FIXED = (("順位", 4), ("判定", 5), ("区市町村", 8.5), ("団体名", 0), ("種別", 5))
_AFTER = (("審査員", 7.5), ("幅", 6.5), ("前回\n選定", 4.5))
# The texts row's headings; the runs of columns are cut so that the longer texts (and the
# headings, on one line) need as few lines as they can
TEXTS = ("取組課題", "目指す成果", "支援メニュー", "審査員のコメント", "選外の理由・同点・相違")
# A4 landscape, less the top and bottom margins (0.7 inch each): the rows one page holds
_PAGE_HEIGHT = 595.3 - 2 * 0.7 * 72 - 12  # points; 12 to spare for rounding in office suites


@dataclass(frozen=True)
class _Layout:
    """The numbers row's columns (heading, width) and the texts row's spans (first, last)."""

    columns: tuple[tuple[str, float], ...]
    spans: tuple[tuple[int, int], ...]

    def span_width(self, first: int, last: int) -> float:
        return sum(width for _, width in self.columns[first:last + 1])


def layout(settings: RoundSettings, texts: Sequence[Sequence[str]]) -> _Layout:
    """The columns for the round's rubric: one per criterion with its maximum in the heading
    (「実施体制\n/20」), the automatic and reviewer subtotals, 合計点; and the runs of columns
    of the texts row (``texts``: per text of :data:`TEXTS`, its value in every row)."""
    full = settings.criterion_max
    auto_max = sum(settings.auto_max(c) for c in settings.auto)
    review_max = sum(c.weight * max(REVIEW_SCORES) for c in settings.review)
    points = [(f"{label}\n/{full[key]}", _POINTS_WIDTH) for key, label in settings.criteria]
    totals = [(f"自動\n/{auto_max}", _POINTS_WIDTH), (f"審査\n/{review_max}", _POINTS_WIDTH),
              (f"合計点\n/{settings.max_total}", 6)]
    rest = sum(w for _, w in (*_FIXED, *points, *totals, *_AFTER))
    fixed = [(title, width or max(_PAGE_WIDTH - rest, 12)) for title, width in _FIXED]
    columns = (*fixed, *points, *totals, *_AFTER)
    needs = [_upper_quartile([text_width(v) for v in values]) for values in texts]
    return _Layout(columns, _spans([w for _, w in columns], needs))


def _upper_quartile(values: list[float]) -> float:
    return sorted(values)[len(values) * 3 // 4] if values else 0.0


def _spans(widths: Sequence[float], needs: Sequence[float]) -> tuple[tuple[int, int], ...]:
    """Cut the columns into one run per text (at least a column each) so that the texts row
    (counted thrice: it is on every application) and the headings' row are as low as they can
    be, then the other texts; every way of cutting is tried (a few thousand at most)."""
    edges = [0.0, *(sum(widths[:n + 1]) for n in range(len(widths)))]

    def lines(cuts: tuple[int, ...]) -> tuple[int, int]:
        bounds = (0, *cuts, len(widths))
        texts = [math.ceil(need / (edges[end] - edges[start] - 1))
                 for need, (start, end) in zip(needs, itertools.pairwise(bounds), strict=True)]
        headings = [math.ceil((text_width(heading) + 1) / (edges[end] - edges[start] - 1))
                    for heading, (start, end) in zip(TEXTS, itertools.pairwise(bounds), strict=True)]
        return 3 * max(texts) + max(headings), sum(texts)

    best = min(itertools.combinations(range(1, len(widths)), len(needs) - 1), key=lines)
    bounds = (0, *best, len(widths))
    return tuple((start, end - 1) for start, end in itertools.pairwise(bounds))


def write_committee(workbook: Workbook, result: RoundResult) -> None:
    sheet = workbook.add_worksheet(COMMITTEE_SHEET)
    rows = committee_rows(result, PAPER_LIMIT)
    left_out = len(result.ranked) - len(rows)
    shape = layout(result.settings, list(zip(*(r.texts for r in rows), strict=True))
                   if rows else [[] for _ in TEXTS])
    last_col = len(shape.columns) - 1
    formats = _Formats(workbook)
    for col, (_, width) in enumerate(shape.columns):
        sheet.set_column(col, col, width)
    title = (f"{PROVISIONAL_MARK if result.provisional else ''}{result.settings.name} 選定会議資料"
             f"（{result.run_at:%Y年%m月%d日 %H:%M} 時点）")
    sheet.merge_range(0, 0, 0, last_col, title,
                      formats.title_provisional if result.provisional else formats.title)
    heights = [24.0]
    for col, (heading, _) in enumerate(shape.columns):
        sheet.write_string(1, col, heading, formats.header)
    heights.append(row_height(max(words_wrapped_lines(h, w - 0.5) for h, w in shape.columns)))
    for heading, (first, last) in zip(TEXTS, shape.spans, strict=True):
        _merged(sheet, 2, first, last, heading, formats.header_text)
    heights.append(row_height(max(words_wrapped_lines(h, shape.span_width(*span) - 1)
                               for h, span in zip(TEXTS, shape.spans, strict=True))))
    last_selected = max((n for n, r in enumerate(rows) if r.decision == SELECTED), default=None)
    blocks = []  # (first row, height) of what must stay on one page
    for n, entry in enumerate(rows):
        top = len(heights)
        heights.append(_numbers_row(sheet, top, entry, shape, formats))
        heights.append(_texts_row(sheet, top + 1, entry, shape,
                                  formats.line if n == last_selected else formats.text))
        blocks.append((top, heights[-1] + heights[-2]))
    heights.append(row_height(1))  # a blank row before the legend
    sheet.write_string(len(heights), 0, "凡例", formats.header_text)
    heights.append(row_height(1))
    blocks.append((len(heights) - 2, 2 * row_height(1)))
    notes = legend(result) + ([f"この資料には順位の上位{len(rows):,}件を載せています。ほかの"
                                f"{left_out:,}件は「選定順位」シートにあります。"] if left_out else [])
    for text in notes:
        top = len(heights)
        sheet.merge_range(top, 0, top, last_col, "", formats.legend)
        write_text(sheet, top, 0, text, formats.legend)
        heights.append(row_height(words_wrapped_lines(text, shape.span_width(0, last_col) - 2)))
        blocks.append((top, heights[-1]))
    for row, height in enumerate(heights):
        sheet.set_row(row, height)
    breaks = page_breaks(blocks, _PAGE_HEIGHT - sum(heights[:3]))
    sheet.set_h_pagebreaks(breaks)
    sheet.freeze_panes(3, 0)
    sheet.repeat_rows(0, 2)
    print_setup(sheet, landscape=True, across=True)  # 100 %: the columns fit the page's width
    sheet.set_margins(left=0.3, right=0.3, top=0.7, bottom=0.7)
    # Page numbers of this sheet alone: office suites count &N over the whole workbook, so the
    # number of pages is written out (the page breaks are ours)
    sheet.set_footer(f"&L&9{COMMITTEE_SHEET}&C&9&P / {len(breaks) + 1} ページ")
    sheet.set_start_page(1)


def page_breaks(blocks: Sequence[tuple[int, float]], page: float) -> list[int]:
    """The rows that start a new page, so that no block (an application's two rows) is cut
    across pages: as many blocks on each page as fit in ``page`` points."""
    breaks, used = [], 0.0
    for row, height in blocks:
        if used and used + height > page:
            breaks.append(row)
            used = 0.0
        used += height
    return breaks


@dataclass(frozen=True)
class CommitteeRow:
    """One application as the committee reads it."""

    rank: int
    decision: str
    provisional: str  # why this row is 暫定, "" when complete
    municipality: str
    org_name: str
    org_type: str
    area: str
    points: tuple[Fraction | None, ...]  # per criterion, automatic first
    auto: Fraction | None
    review: Fraction | None
    total: Fraction
    reviewers: tuple[str, ...]  # 「A 36」「B 利害」「C 未」
    spread: str  # 「32–40」
    previously_selected: bool
    issue: str
    goals: str
    menus: str
    comments: str
    reason: str  # why 選外, the tie, the disagreement, why 暫定

    @property
    def texts(self) -> tuple[str, str, str, str, str]:
        """The texts row's values, in the order of :data:`TEXTS`."""
        return self.issue, self.goals, self.menus, self.comments, self.reason


def committee_rows(result: RoundResult, limit: int | None = None) -> list[CommitteeRow]:
    """The applications as the committee reads them, in rank order (the first ``limit``)."""
    ranked, settings = result.ranked.head(limit) if limit else result.ranked, result.settings
    if not len(ranked):
        return []
    keys = [key for key, _ in settings.criteria]
    points = [ranked[points_column(key)].tolist() for key in keys]
    auto = _exact_sums(ranked, [c.key for c in settings.auto])
    review = _exact_sums(ranked, [c.key for c in settings.review])
    letters = reviewer_letters(result)
    by_file = _reviews_by_file(result, letters)
    rows = []
    columns = zip(ranked["file"].tolist(), ranked["rank"].tolist(), ranked["decision"].tolist(),
                  ranked["municipality"].tolist(), ranked["org_name"].tolist(),
                  ranked["org_type"].tolist(), ranked["area"].tolist(), ranked["total"].tolist(),
                  ranked["challenge_category"].tolist(), ranked["challenge_detail"].tolist(),
                  ranked["goals"].tolist(), ranked["menus"].tolist(), ranked["menu_other"].tolist(),
                  ranked["short_reason"].tolist(), ranked["tie_note"].tolist(),
                  ranked["disagreement"].tolist(), strict=True)
    for n, (file, rank, decision, municipality, org_name, org_type, area, total, category,
            detail, goals, menus, menu_other, short, tie, disagreement) in enumerate(columns):
        reviewers, totals, comments = by_file.get(file, ((), [], ()))
        missing = result.row_provisional.get(file, "")
        reason = [f"{PROVISIONAL_MARK}{missing}" if missing else "", short,
                  tie, f"相違：{disagreement}" if disagreement else "",
                  _conflicts_said(reviewers)]
        chosen = "、".join(menus or ())
        if isinstance(menu_other, str) and menu_other:
            chosen += f"（その他：{menu_other}）"
        rows.append(CommitteeRow(
            rank=int(rank), decision=str(decision), provisional=missing,
            municipality=str(municipality), org_name=str(org_name or ""),
            org_type=SHORT_TYPES.get(org_type, str(org_type)), area=str(area),
            points=tuple(column[n] for column in points), auto=auto[n], review=review[n],
            total=total, reviewers=reviewers,
            spread=f"{shown_text(min(totals))}–{shown_text(max(totals))}" if len(totals) > 1 else "",
            previously_selected=file in result.previously_selected,
            issue=f"【{category}】{_text(detail)}", goals=_text(goals), menus=chosen,
            comments="\n".join(comments), reason="\n".join(filter(None, reason))))
    return rows


def reviewer_letters(result: RoundResult) -> dict[str, str]:
    """Each reviewer's letter on the paper (A, B, C … in the order of their names; the legend
    names them)."""
    details = result.review_details
    names = sorted(set(details["reviewer"].tolist())) if len(details) else []
    return {name: _letter(n) for n, name in enumerate(names)}


def _letter(n: int) -> str:
    return chr(ord("A") + n) if n < 26 else f"{chr(ord('A') + n // 26 - 1)}{chr(ord('A') + n % 26)}"


def _reviews_by_file(result: RoundResult, letters: dict[str, str]
                     ) -> dict[str, tuple[tuple[str, ...], list[Fraction], tuple[str, ...]]]:
    """Per application: each reviewer's total (weighted, exact) or why none, the complete
    totals, and the comments (shortened; 審査内訳 has them whole)."""
    details, review = result.review_details, result.settings.review
    if not len(details) or not review:
        return {}
    found: dict[str, list[tuple[str, str, Fraction | None, str]]] = {}
    columns = [details[c.key].tolist() for c in review]
    for n, (reviewer, file, conflict, comment) in enumerate(zip(
            details["reviewer"].tolist(), details["file"].tolist(), details["conflict"].tolist(),
            details["comment"].tolist(), strict=True)):
        scores = [column[n] for column in columns]
        complete = not conflict and all(_given(s) for s in scores)
        total = Fraction(sum(int(s) * c.weight for s, c in zip(scores, review, strict=True))) \
            if complete else None
        found.setdefault(file, []).append((letters[reviewer], "利害" if conflict else "", total,
                                           str(comment or "")))
    shaped = {}
    for file, entries in found.items():
        entries.sort()
        said = tuple(f"{letter} {shown_text(total) if total is not None else conflict or NOT_SCORED}"
                     for letter, conflict, total, _ in entries)
        totals = [total for _, _, total, _ in entries if total is not None]
        comments = tuple(f"{letter}：{_short(comment)}" for letter, _, _, comment in entries if comment)
        shaped[file] = (said, totals, comments)
    return shaped


def _text(value: object) -> str:
    return value if isinstance(value, str) else ""


def _given(score: object) -> bool:
    return score is not None and score == score  # NaN where pandas filled a gap


def _short(comment: str) -> str:
    flat = " ".join(comment.split())
    return flat if len(flat) <= COMMENT_LIMIT else flat[:COMMENT_LIMIT - 1] + "…"


def _conflicts_said(reviewers: Sequence[str]) -> str:
    conflicted = [said.split()[0] for said in reviewers if said.endswith(CONFLICT)]
    if not conflicted:
        return ""
    return f"利害関係：{'・'.join(conflicted)}（審査の平均はほかの審査員の点数）"


def _exact_sums(ranked: pd.DataFrame, keys: Sequence[str]) -> list[Fraction | None]:
    """Per application, the exact sum of some criteria's points; None when none is scored."""
    columns = [ranked[points_column(key)].tolist() for key in keys]
    return [total if count else None for total, count in row_sums(columns, len(ranked))]


def legend(result: RoundResult) -> list[str]:
    """What the marks on the paper mean."""
    settings = result.settings
    names = "、".join(f"{letter}＝{name}" for name, letter in reviewer_letters(result).items())
    lines = [
        f"赤い太線：選定の線（上限{settings.max_districts}件、1区市町村{settings.max_per_municipality}件"
        "まで。線より上の「選定」を選定）。「/20」などは各項目の満点。点数は四捨五入して表示（計算は端数のまま）。",
        "審査員：各審査員の合計点（点×重み）。「利害」＝利害関係ありで採点なし、「未」＝点数がまだない。"
        "幅：審査員の合計点の最低–最高。" + (f"審査員は {names}。" if names else "")
        + "前回選定：前回の募集回で選定された団体（○）。コメントは40字まで（全文は「審査内訳」）。",
        f"{PROVISIONAL_MARK}：まだ決まっていない行（理由は右下の欄）"
        + ("。この資料の順位は暫定です（理由と対応は「概要」の「暫定の理由」）。" if result.provisional
           else "。"),
    ]
    return lines


class _Formats:
    def __init__(self, workbook: Workbook) -> None:
        size = {"font_size": 10, "border": 1, "text_wrap": True, "valign": "top"}
        self.title = fmt(workbook, bold=True, font_size=14, valign="vcenter")
        self.title_provisional = fmt(workbook, bold=True, font_size=14, valign="vcenter",
                                     font_color="#C00000")
        self.header = fmt(workbook, bold=True, bg_color="#1F4E79", font_color="#FFFFFF",
                          align="center", **size)
        self.header_text = fmt(workbook, bold=True, bg_color="#DDEBF7", **size)
        self.body = fmt(workbook, **size)
        self.number = fmt(workbook, num_format="0.##;;0", **size)
        self.decision = {d: fmt(workbook, bg_color=c, bold=True, **size)
                         for d, c in DECISION_COLOURS.items()}
        self.text = fmt(workbook, bg_color="#F7F7F7", **size)
        self.line = fmt(workbook, bg_color="#F7F7F7", bottom=5, bottom_color=SELECTION_LINE,
                        **{k: v for k, v in size.items() if k != "border"},
                        left=1, right=1, top=1)
        self.legend = fmt(workbook, text_wrap=True, valign="top")
        self.red = fmt(workbook, bold=True, font_color="#C00000", **size)


def _numbers_row(sheet: Worksheet, row: int, entry: CommitteeRow, shape: _Layout,
                 formats: _Formats) -> float:
    """Write an application's numbers; returns the row's height."""
    values: list[object] = [entry.rank, entry.decision, f"{entry.municipality}\n{entry.area}",
                            entry.org_name, entry.org_type, *entry.points, entry.auto,
                            entry.review, entry.total, "\n".join(entry.reviewers), entry.spread,
                            PREVIOUSLY_SELECTED if entry.previously_selected else ""]
    lines = words_wrapped_lines(entry.org_name, shape.columns[3][1] - 1) + bool(entry.provisional)
    for col, value in enumerate(values):
        if col == 1:
            sheet.write_string(row, col, entry.decision,
                               formats.decision.get(entry.decision, formats.body))
        elif col == 3 and entry.provisional:  # the row's own 暫定 mark above the name, in red
            # (one format for the cell: a rich string costs ten times a plain one to write)
            write_text(sheet, row, col, f"{PROVISIONAL_MARK}\n{entry.org_name}", formats.red)
        elif value is None:  # not scored yet
            sheet.write_blank(row, col, None, formats.body)
        elif isinstance(value, Fraction):
            sheet.write_number(row, col, shown_number(value), formats.number)
        else:
            write_text(sheet, row, col, value, formats.body)
        if isinstance(value, str) and col != 3:
            lines = max(lines, words_wrapped_lines(value, shape.columns[col][1] - 1))
    return row_height(lines)


def _texts_row(sheet: Worksheet, row: int, entry: CommitteeRow, shape: _Layout,
               cell: Format) -> float:
    """Write an application's texts in full; returns the row's height."""
    lines = 1
    for text, (first, last) in zip(entry.texts, shape.spans, strict=True):
        _merged(sheet, row, first, last, text, cell)
        lines = max(lines, words_wrapped_lines(text, shape.span_width(first, last) - 1))
    return row_height(lines)


def _merged(sheet: Worksheet, row: int, first: int, last: int, text: str, cell: Format) -> None:
    if first == last:
        write_text(sheet, row, first, text, cell)
    else:
        sheet.merge_range(row, first, row, last, "", cell)
        write_text(sheet, row, first, text, cell)
