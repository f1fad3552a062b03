"""Problems found in applicants' files, as data.

Each kind has a stable code and a Japanese template an applicant can act on:
what is wrong and what to write instead. Templates are filled with
``label`` (the field's label), ``value`` (what was typed), ``guide`` (the
field's guidance) and ``extra``.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ProblemKind:
    code: str
    title: str
    template: str


_KINDS = (
    # The file as a whole
    ProblemKind("not_a_form", "申請用紙ではない",
                "このファイルには「申請書」シートがありません。配布した申請用紙（申請用紙.xlsx）に"
                "記入して再送してください。"),
    ProblemKind("unreadable", "読み込めない", "{extra}"),
    ProblemKind("wrong_version", "様式が異なる",
                "様式「{value}」の申請用紙です。最新の様式「{extra}」の申請用紙に記入し直して"
                "再送してください。"),
    ProblemKind("not_recognised", "申請用紙として読み取れない",
                "「申請書」シートに項目の見出しがほとんど見つかりません（{extra}）。配布した"
                "申請用紙の見出しを変えずに記入して再送してください。"),
    # One field
    ProblemKind("label_missing", "見出しがない",
                "「{label}」の見出しが見つかりません。見出しのセルを消したり書き換えたりせず、"
                "その右隣のセルに入力してください。"),
    ProblemKind("required", "未入力", "「{label}」が未入力です。{guide}"),
    ProblemKind("bad_date", "日付として読めない",
                "「{label}」の「{value}」を日付として読み取れません。2016/6/28 や "
                "平成28年6月28日 の形で入力してください。"),
    ProblemKind("bad_year_month", "年月として読めない",
                "「{label}」の「{value}」を年月として読み取れません。2016年9月 や 2016/9 の形で"
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
    ProblemKind("bad_postal_code", "郵便番号の形式",
                "「{label}」の「{value}」は7桁の郵便番号として読み取れません。163-8001 のように"
                "入力してください。"),
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


def describe(code: str, *, label: str = "", value: object = "", guide: str = "",
             extra: str = "") -> str:
    """The Japanese message of a problem kind, filled in."""
    return KINDS[code].template.format(label=label, value=value, guide=guide, extra=extra)
