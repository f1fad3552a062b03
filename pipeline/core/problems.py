"""Problems found in applicants' files, as data.

Each kind has a stable code and a Japanese template an applicant can act on:
what is wrong and what to write instead. Templates are filled with
``label`` (the field's label), ``value`` (what was typed), ``guide`` (the
field's guidance), ``extra`` and the round's examples (``date_numeric``,
``date_era``, ``month``, ``month_numeric``: wording.form_examples).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields

from pipeline.core import wording


@dataclass(frozen=True)
class ProblemKind:
    code: str
    title: str  # a short name for the kind, shown in 入力エラー's hidden 種類 column
    template: str
    whole_file: bool = False  # the file as a whole cannot be read: 読込不可, not 要修正


def _file(code: str, title: str, template: str) -> ProblemKind:
    return ProblemKind(code, title, template, whole_file=True)


_SAVE_AS_XLSX = "「Excel ブック (*.xlsx)」形式で保存して再送してください。"
_KINDS = (
    # The file as a whole
    _file("not_a_form", "申請用紙ではない",
          "このファイルには「申請書」シートがありません。配布した申請用紙（申請用紙.xlsx）に"
          "記入して再送してください。"),
    _file("wrong_version", "様式が異なる",
          "様式「{value}」の申請用紙です。最新の様式「{extra}」の申請用紙に記入し直して"
          "再送してください。"),
    _file("not_recognised", "申請用紙として読み取れない",
          "「申請書」シートに項目の見出しがほとんど見つかりません（{extra}）。配布した"
          "申請用紙の見出しを変えずに記入して再送してください。"),
    _file("empty_file", "空のファイル",
          "ファイルが空（0バイト）です。申請用紙を保存し直して再送してください。"),
    _file("cannot_open", "開けないファイル", "ファイルを開けません。もう一度保存して再送してください。"),
    _file("encrypted", "パスワード付き",
          "パスワードで保護されています。パスワードを外して再送してください。"),
    _file("legacy_xls", "旧形式のファイル",
          "古い形式のExcelファイル（.xls）か、他のソフトのファイルです。申請用紙をExcelで開き、"
          + _SAVE_AS_XLSX),
    _file("pdf", "PDF", "PDFファイルです。PDFは読み取れません。配布した申請用紙（Excel）に記入し、"
                        ".xlsxのまま再送してください。"),
    _file("image", "画像", "画像ファイルです。配布した申請用紙（Excel）に記入し、.xlsxのまま再送してください。"),
    _file("word", "Wordファイル", "Wordファイルです。配布した申請用紙（Excel）に記入し、.xlsxのまま"
                                 "再送してください。"),
    _file("not_xlsx", "Excelブックではない",
          "Excelブック（.xlsx）として開けません。申請用紙をExcelで開き直し、" + _SAVE_AS_XLSX),
    _file("too_big", "大きすぎる",
          "ファイルの中身が申請用紙としては大きすぎます。配布した申請用紙に記入し、"
          "画像などを貼り付けずに再送してください。"),
    _file("hostile", "申請用紙にない構造",
          "ファイルに申請用紙にはない構造（DTD・外部参照、または極端に広いシート）が含まれて"
          "いるため読み取りません。配布した申請用紙に記入して再送してください。"),
    _file("damaged", "壊れたファイル",
          "ファイルが壊れているか、途中までしか届いていません。申請用紙を保存し直して"
          "再送してください。"),
    _file("crashed", "読み込みの異常終了",
          "読み込みの途中で処理が異常終了しました。ファイルが壊れているか、申請用紙としては"
          "大きすぎます。配布した申請用紙に記入して再送してください。"),
    # A review sheet as a whole
    _file("no_review_sheet", "審査票のシートがない",
          "「審査票」シートがありません。配布した審査票に記入してください。"),
    _file("review_unreadable", "審査票を開けない",
          "審査票を開けません。Excelブック（.xlsx）で保存し直してください。"),
    # `bansou check` on a staff file (a review sheet, a plan or a log) when round.toml cannot be read
    _file("needs_settings", "設定がないため確かめられない",
          "募集回の設定（round.toml）が読めないため、{extra}を確かめられません。最初の「設定の注意」"
          "に従って設定を直してから、もう一度確かめてください。"),
    # `bansou check` on a workbook this tool wrote (a copy of outbox/選定結果.xlsx, say)
    _file("our_output", "このツールの出力",
          "このツールが書き出した{extra}です。申請用紙・受付簿・審査票ではないため、確かめていません。"
          "届いた申請用紙、受付簿、審査票、計画書・支援記録を指定してください。"),
    _file("other_review_sheet", "別の審査票",
          "今回の審査票の見出し（{extra}）がそろっていません。別の募集回の審査票か、評価項目の"
          "異なる審査票です。今回配布した審査票（審査票.xlsx）に記入し直してください。"),
    # One field
    ProblemKind("label_missing", "見出しがない",
                "「{label}」の見出しが見つかりません（配布した申請用紙では {extra} のセルです）。"
                "見出しのセルを消したり書き換えたりせず、その右隣のセルに入力してください。"),
    ProblemKind("required", "未入力", "「{label}」が未入力です。{guide}"),
    ProblemKind("too_long", "長すぎる",
                "「{label}」の記入が長すぎます（{extra}文字）。この欄には短い値だけを入力してください。"
                "{guide}"),
    ProblemKind("bad_date", "日付として読めない",
                "「{label}」の「{value}」を日付として読み取れません。{date_numeric} や "
                "{date_era} の形で入力してください。"),
    ProblemKind("date_outside_era", "元号の期間にない日付",
                "「{label}」の「{value}」はその元号の期間にない日付です（{extra}）。元号と年を"
                "確かめて入力し直すか、西暦で入力してください。"),
    ProblemKind("date_out_of_round", "募集回から離れた日付",
                "「{label}」の「{value}」は今回の募集回の日付ではないようです（{extra}）。"
                "申請する日付を {date_numeric} のように入力してください。"),
    ProblemKind("formula", "数式が入力されている",
                "「{label}」のセルに数式が入力されています。数式ではなく値そのものを入力して"
                "ください。{guide}"),
    ProblemKind("hidden_input", "非表示のセルに入力",
                "非表示のセル（{extra}）に入力があります。表示して内容を確かめ、不要なら削除して"
                "ください（表示されていない値は読み取っていません）。"),
    ProblemKind("two_filled_sheets", "記入したシートが複数",
                "申請書が{extra}の複数のシートに記入されています。1つのシートにまとめ、"
                "ほかのシートを削除して再送してください（最初のシートを読み取りました）。"),
    ProblemKind("bad_year_month", "年月として読めない",
                "「{label}」の「{value}」を年月として読み取れません。{month} や {month_numeric} の形で"
                "入力してください。"),
    ProblemKind("bad_months", "月数として読めない",
                "「{label}」の「{value}」を月数として読み取れません。4から8までの数字（例：6）を"
                "入力してください。"),
    ProblemKind("months_out_of_range", "期間が範囲外",
                "「{label}」は4か月から8か月までです（入力値：{value}）。4から8までの数字を"
                "入力してください。"),
    ProblemKind("bad_choice", "選択肢にない",
                "「{label}」の「{value}」は選択肢にありません。一覧から選んでください（{extra}）。"),
    ProblemKind("ambiguous_choice", "選択肢を特定できない",
                "「{label}」の「{value}」に当てはまる選択肢が複数あります。一覧から1つ選んで"
                "ください（{extra}）。"),
    ProblemKind("bad_municipality", "都内の区市町村ではない",
                "「{label}」の「{value}」は東京都の区市町村ではありません。一覧から都内の区市町村を"
                "選んでください（例：新宿区、八王子市、大島町）。"),
    ProblemKind("unclear_municipality", "区市町村を特定できない",
                "「{label}」の「{value}」から区市町村を1つに決められません。東京都の62区市町村の"
                "名前を1つ書いてください（例：八王子市）。"),
    ProblemKind("bad_postal_code", "郵便番号の形式",
                "「{label}」の「{value}」は7桁の郵便番号として読み取れません。163-8001 のように"
                "入力してください。"),
    ProblemKind("unknown_postal_code", "存在しない郵便番号",
                "「{label}」の「{value}」は日本郵便の郵便番号データにありません。所在地の郵便番号を"
                "確かめて、正しい番号を入力してください。"),
    ProblemKind("bad_phone", "電話番号の形式",
                "「{label}」の「{value}」は電話番号として読み取れません。市外局番から10桁または"
                "11桁で入力してください（例：03-1234-5678）。"),
    ProblemKind("bad_email", "メールアドレスの形式",
                "「{label}」の「{value}」はメールアドレスとして読み取れません。"
                "name@example.jp のように1つだけ入力してください。"),
    ProblemKind("bad_text", "文字として読めない",
                "「{label}」に文字以外の値（{value}）が入っています。文字で入力してください。"),
    ProblemKind("bad_mark", "印として読めない",
                "「{label}」の「{value}」は印として読み取れません。該当する場合は「○」、"
                "該当しない場合は空欄にしてください。"),
    ProblemKind("no_menu", "メニュー未選択",
                "「{label}」が1つも選ばれていません。希望するメニューの右の欄に「○」を1つ以上"
                "入力してください。"),
    ProblemKind("function_required_for_other", "中間支援機能の概要が未入力",
                "団体種別が「その他」の場合は「{label}」が必要です。{guide}"),
    ProblemKind("menu_other_required", "その他の希望内容が未入力",
                "支援メニュー「その他」を選んだ場合は「{label}」が必要です。{guide}"),
    ProblemKind("bad_datetime", "日時として読めない",
                "「{label}」の「{value}」を日時として読み取れません。2016/6/30 17:05 の形で"
                "入力してください。"),
    ProblemKind("bad_score", "点数として読めない",
                "「{label}」の「{value}」は点数として読み取れません。1から5までの整数を"
                "入力してください。"),
    ProblemKind("missing_score", "未採点",
                "「{label}」が未入力です。1から5までの点数を入力するか、利害関係がある場合は"
                "「利害関係あり」に○を入力してください。"),
    ProblemKind("unknown_application", "対象外の申請",
                "ファイル名「{value}」の申請は今回の審査対象にありません。審査票の行を消さずに、"
                "最新の審査票を使ってください。"),
    ProblemKind("ambiguous_application", "申請を特定できない",
                "ファイル名「{value}」に当たる申請が複数あります（同じ名前とみなされるファイルが"
                "inbox に複数あります）。事務局がファイル名を区別してから、審査票を配り直します。"),
    ProblemKind("duplicate_review_row", "同じ申請の行が複数",
                "ファイル名「{value}」の申請がこの審査票に2回以上あります。1つの申請につき1行にして"
                "ください（どの行の点数も使っていません）。"),
    ProblemKind("text_too_long", "文字数超過",
                "「{label}」が長すぎます（{extra}文字）。要点を絞って入力してください。"),
)

KINDS: dict[str, ProblemKind] = {k.code: k for k in _KINDS}


@dataclass(frozen=True)
class Problem:
    """One problem in one cell of one file: a row of 入力エラー."""

    file: str
    sheet: str
    cell: str
    label: str
    value: str
    code: str
    message: str


WHOLE_FILE = "ファイル"  # the 項目 of a problem with a file (or a sheet) as a whole


def whole_file(file: str, code: str, *, sheet: str = "", value: str = "",
               extra: str = "") -> Problem:
    """A problem with a file as a whole (or with one of its sheets), not with one cell."""
    return Problem(file, sheet, "", WHOLE_FILE, value, code,
                   describe(code, value=value, extra=extra))


# The columns of a frame of problems (入力エラー's rows before display): Problem's fields.
PROBLEM_COLUMNS = tuple(field.name for field in fields(Problem))


def in_order(found: Iterable[Problem]) -> list[Problem]:
    """Problems file by file (in the order the files came) and down each file's cells; the first
    report of a field wins, so a value the normaliser could not read is not reported again as
    missing."""
    found = list(found)
    file_order = {file: n for n, file in enumerate(dict.fromkeys(p.file for p in found))}
    seen: set[tuple[str, str]] = set()
    kept = []
    for problem in sorted(found, key=lambda p: (file_order[p.file], _row_number(p.cell))):
        if (problem.file, problem.label) not in seen:
            seen.add((problem.file, problem.label))
            kept.append(problem)
    return kept


def _row_number(address: str) -> int:
    digits = "".join(ch for ch in address if ch.isdigit())
    return int(digits) if digits else 0


def describe(code: str, *, label: str = "", value: object = "", guide: str = "",
             extra: str = "", examples: Mapping[str, str] = wording.SEED_EXAMPLES) -> str:
    """The Japanese message of a problem kind, filled in. A long value is quoted by its start:
    the message names the cell, and the whole value is in the 入力値 column."""
    quoted = str(value)
    if len(quoted) > _QUOTED:
        quoted = f"{quoted[:_QUOTED]}…"
    return KINDS[code].template.format_map(
        {**examples, "label": label, "value": quoted, "guide": guide, "extra": extra})


def _round_dependent(kind: ProblemKind) -> bool:
    """A kind whose message gives the round's examples (itself or in the field's guidance), and
    can be written again from the problem's row alone (it uses no ``extra``)."""
    return "{extra}" not in kind.template and any(
        f"{{{name}" in kind.template for name in ("guide", "date_", "month"))


# The kinds whose messages validation writes again with the round's own examples.
ROUND_EXAMPLE_KINDS = frozenset(kind.code for kind in _KINDS if _round_dependent(kind))


_QUOTED = 80
