"""What staff are told in 概要 and why a ranking is 暫定, as data: each note a stable code and
the fields its template fills, rendered to Japanese here and only here (the receipt register's
problems as read, receipt's notes, the deciding stage's reasons)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

# By code; a field given as a tuple is listed with 、, a note given as a field is rendered (notes
# given as a tuple, one after another).
TEMPLATES: dict[str, str] = {
    # the receipt register as read (stage1_read.register): why it cannot be used, its rows' notes
    "registers_many": "受付簿が{count}つあります（{files}）。使う1つを残し、ほかは inbox の外に移して"
                      "ください。",
    "register_unreadable": "{file} を読み込めません：{why}",  # why: the problem kind's message
    "register_unopenable": "{file} を読み込めません：Excelブックとして開けません。Excelブック（.xlsx）"
                           "として保存し直してください。",
    "register_parser_crashed": "{file} を読み込めません：読み込みの途中で異常終了しました。Excelブック"
                               "（.xlsx）として保存し直してください。",
    "register_no_headings": "{file} を読み込めません：「{file_label}」と「{time_label}」の見出しが"
                            "ありません。",
    "register_row_without_file": "{file} {cell}: ファイル名がありません（受付日時 {time} の行）。",
    "decisions_sheet_unreadable": "{file}: シート「{sheet}」を読み込めません。ファイル名・判断・理由・"
                                  "記入者・日付の見出しの表にしてください。",
    # for 概要
    "lookalike_registers": "受付簿の形をしたファイルがあります（{files}）。受付簿は事務局が inbox に"
                           "「受付簿.xlsx」の名前で保存したものだけを使うため、申請者のファイルとして判定しました。",
    "register_row_no_file": "{source} {cell}: 「{name}」に当たるファイルが inbox にありません。",
    "register_row_many_files": "{source} {cell}: 「{name}」に当たるファイルが複数あります（{files}）。"
                               "どのファイルか特定できないため使いませんでした。",
    "register_row_twice": "{source} {cell}: 「{file}」が2回記載されています（最初の行 {first_cell} を"
                          "使いました）。",
    "register_time_unusable": "{source} {cell}: {why}",
    "register_year_read": "{source} {cell}: 「{written}」は年の記入がないため、締切に最も近い {when} と"
                          "読みました。",
    "name_twins": "同じ名前とみなされるファイルが{count}つあります（{files}）。受付簿や審査票の行は"
                  "どちらのものか判断できません。名前を変えて区別してください。",
    "same_content": "同じ内容のファイル {files}：受付簿にある {first} の受付日時で判定しました。",
    "same_name_kept_apart": "同一団体名の別申請：{files}（同じ団体から届いた根拠（差戻しの印、"
                            "受付簿の同じ送信元）がないため別々に判定しました）。",
    "latest_version_judged": "同じ団体の申請 {files}：{how}で {latest} を判定しました。",
    "same_contact": "同一団体の可能性：{other} と {file}（団体名は異なりますが、連絡先が同じです）。",
    # review sheets as read (stage2_decide.reviews), for 概要
    "reviewer_unnamed": "{sheet}: 審査員氏名が未入力のため、ファイル名で区別しました。",
    "reviewer_names_same": "審査員{names}を同じ審査員としました（氏名の空白・全角半角・敬称・役職を除くと"
                           "同じです）。",
    "reviewer_sheets_many": "審査員「{reviewer}」の審査票が{count}つあります（古い順に {sheets}。{how}）。"
                            "申請ごと・項目ごとに最も新しい審査票の点数を使い、新しい審査票で空欄の行・項目は"
                            "前の審査票の点数を使いました（どの審査票の点数かは「審査内訳」シートの「審査票」列）。",
    "review_row_not_ours": "{sheet} {cell}: 「{file}」は今回の審査の対象の申請ではありません。前の審査票の"
                           "行のため、点数を使わずに進めました（新しい審査票は {newest}）。",
    "review_scores_despite_conflict": "{sheet} {cells}: 利害関係ありの申請（{file}）に点数があります。"
                                      "点数は使いませんでした。",
    # the place an application judged as in Tokyo gives, where its evidence disagrees
    "postal_elsewhere": "郵便番号 {postal_code} は{found}です（所在地: {address}）。",
    "postal_other_municipality": "郵便番号 {postal_code} は{found}です（区市町村: {stated}）。",
    "address_elsewhere": "所在地は{address}です（郵便番号 {postal_code}: {found}）。",
    "address_other_municipality": "所在地は{found}です（区市町村: {stated}）。",
    "place_disagrees": "{file}: {notes}",
    "previous_round_missing": "前回の募集回（round.toml の previous_round：{name}）の選定結果が見つかり"
                              "ません。そのフォルダで bansou run（make）を実行したか、previous_round の"
                              "フォルダを確かめてください。選定会議資料の「前回選定」は空欄です。",
    "type_disagrees": "団体名に{form}とあり、団体種別（{chosen}）と合いません。対象の団体か事務局で確かめ、"
                      "受付簿の事務局判断シートに記入してください（暫定）",
    "type_disagrees_in": "{file}: {what}",
    # said on a file's row (受付一覧, 選定順位) after its reason, for staff
    "macros_not_run": "マクロ付きのブックです。値だけを読み取り、マクロは実行していません。",
    "structure_unchecked": ".xls・.ods のブックのため、非表示の行・列、見えない書式、数式の有無は確かめて"
                           "いません。申請書を開いて記入内容を確かめてください。",
    "form_on_other_sheet": "「{sheet}」シートを申請書として読み取りました。",
    "other_round_form": "別の募集回の申請用紙で提出されています（{shown}、今回は「{name}」）。記入欄は"
                        "同じため、そのまま読み取って判定しました。",
    "start_month_year_read": "希望開始時期は年の記載がないため {year}年{month}月 と読みました。",
    "read_as_meant": "{label}は「{written}」とあるため「{value}」と読みました。",
    "tag_not_issued": "差戻しの修正版の印がありますが、差戻しの記録にない修正版です。新しい申請として"
                      "判定しました。",
    "tag_other_organisation": "差戻しの修正版の印がありますが、差戻しを送った団体と{differs}が違います。"
                              "新しい申請として判定しました。",
    "same_name_other": "同一団体名の別申請（{others}）があります。同じ団体か事務局で確かめてください"
                       "（暫定）。",
    "maybe_resubmission": "締切前に届いた読めないファイル（{files}）の再提出かもしれません（暫定）。",
    # 受付日の根拠: where a file's receipt time comes from (stage2_decide.register_match, versions)
    "basis_register": "受付簿",
    "basis_register_row": "受付簿（{cell}「{name}」）",
    "basis_year_read": "{basis}。年の記入がないため{year}年と読みました",
    "basis_form_date": "申請日（{why}）",
    "basis_unknown": "不明（{why}）",
    "basis_register_time_unusable": "受付簿の日時を使えません（{cell}「{written}」）。申請日で仮に判定",
    "basis_same_content": "{first} と同じ内容（受付は {first} と共通）",
    "basis_correction_in_time": "{label}：元の受付日時（修正版の受付 {when} は再提出期限内）",
    "basis_correction_late": "{label}：受付簿の日時（再提出期限後）",
    "basis_correction": "{label}：元の受付日時",
    # reasons the ranking is 暫定
    "register_unusable": "受付簿を使えません：{problem}（締切の判定は申請日によります）",
    "register_row_finds_no_file": "受付簿 {cell} の「{name}」に当たるファイルが inbox にありません"
                                  "（ファイル名を確かめてください）",
    "register_row_finds_many_files": "受付簿 {cell} の「{name}」がどのファイルか特定できません（{files}）",
    "register_time_not_read": "受付簿 {cell} の受付日時「{written}」を使えません（{why}）",
    "resubmission_of_which_unreadable": "{file} は、受付簿の{how}が同じ読めないファイル（{files}）の"
                                        "どれの再提出か判断できません。事務局判断に「再提出として扱う」と"
                                        "元のファイルを記入してください",
    "same_name_unconfirmed": "同じ団体名の申請が{count}件あり、同じ団体か確かめられません（{files}）。"
                             "受付簿に送信元を記入するか、事務局判断に記入してください（後の申請を"
                             "「再提出として扱う」、別の団体なら「適格」など）",
    "versions_unordered": "同じ団体の申請（{files}）のどれが新しいか判断できません。受付簿に受付日時を"
                          "記入するか、古い方を inbox から移してください",
    "correction_arrival_unknown": "修正版 {file} がいつ届いたか分かりません（受付簿に記載なし）。"
                                  "再提出期限内か確かめ、受付簿に受付日時を記入してください",
    "resubmission_unconfirmed": "締切後・再提出期限内に届いた {file} が、締切前に届いた読めないファイル"
                                "（{files}）の再提出か分かりません。受付簿に送信元を記入するか、"
                                "事務局判断に「再提出として扱う」と元のファイルを記入してください",
    # reasons the ranking is 暫定, from deciding (stage2_decide)
    "before_deadline": "締切前です（締切：{deadline}）。締切後にもう一度実行すると確定できます",
    "inbox_empty": "inbox に申請がありません。届いた申請用紙を inbox に保存してください",
    "awaiting_corrections": "要修正・読込不可の申請が{count}件あり、再提出期限（{deadline}）まで"
                            "修正版が届く可能性があります",
    "type_disputed": "団体種別と団体名の法人格が食い違う申請があります（{file}）。事務局判断を記入して"
                     "ください",
    "review_sheet_problems": "審査票 {sheet} に不備があります（{cells}）。直して戻してもらってください",
    "reviewer_names_similar": "審査員「{first}」と「{second}」の氏名が似ていますが、別の審査員として"
                              "数えました。同じ審査員なら、審査票の審査員氏名をそろえてもらってください",
    "no_review_sheets": "審査票がまだ戻っていません（順位は自動採点だけによります）",
    "reviews_unfinished": "審査員全員の点数がそろっていない申請が{count}件あります（{files}{more}）",
    "ruling_not_applicable": "受付簿 {cell} の事務局判断を適用できません（{why}）",
    "ruling_not_rankable": "受付簿 {cell} の事務局判断（{file} を適格）を適用できません（{unrankable}）",
    # staff decisions (stage2_decide.staff), for 概要; why one cannot be applied (no final 。)
    "ruling_applied": "{file}: {ruling}",
    "ruling_cannot": "{source} {cell}: 事務局判断を適用できません。{why}。",
    "ruling_unrankable": "{cell}: {file} を適格として扱えません。{unrankable}。",
    "ruling_word_unknown": "{label}「{word}」は使えません。{words} のどれかを書いてください",
    "ruling_unsigned": "{reason}と{author}を書いてください",
    "ruling_file_none": "{label}「{typed}」に当たるファイルが inbox にありません",
    "ruling_file_many": "{label}「{typed}」に当たるファイルが複数あります（{files}）",
    "ruling_original_itself": "{label}「{typed}」は同じファイルです",
    "ruling_original_unknown": "{why}。再提出のもとになったファイルの名前を書いてください",
    "ruling_twice": "「{file}」の判断が2つあります（{first}）。1つにしてください",
}


@dataclass(frozen=True)
class Note:
    code: str  # a key of TEMPLATES
    fields: Mapping[str, object]

    @classmethod
    def of(cls, code: str, **fields: object) -> Note:
        return cls(code, fields)

    @property
    def text(self) -> str:
        """The note in Japanese."""
        return TEMPLATES[self.code].format_map(
            {**_FIXED, **{key: _shown(value) for key, value in self.fields.items()}})


# Text several templates share.
_FIXED = {"unrankable": "区市町村が都の62区市町村の1つで、団体種別が4つの種別の1つでなければ順位を"
                        "付けられません"}


def in_a_row(notes: Iterable[Note]) -> str:
    """Notes one after another, as a file's row and a note's field show them."""
    return " ".join(note.text for note in notes)


def _shown(value: object) -> object:
    if isinstance(value, tuple | list) and value and all(isinstance(v, Note) for v in value):
        return in_a_row(value)
    if isinstance(value, tuple | list):
        return "、".join(map(str, value))
    return value.text if isinstance(value, Note) else value


def distinct(notes: Iterable[Note]) -> tuple[Note, ...]:
    """Each note once (by what it says), in the order first given."""
    kept: dict[str, Note] = {}
    for note in notes:
        kept.setdefault(note.text, note)
    return tuple(kept.values())


