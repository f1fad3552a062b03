"""What staff are told in 概要 and why a ranking is 暫定, as data: each note a stable code and
the fields its template fills, rendered to Japanese here and only here."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

# By code; a field given as a tuple is listed with 、.
TEMPLATES: dict[str, str] = {
    # for 概要
    "register_note": "{text}",
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
            {key: "、".join(map(str, value)) if isinstance(value, tuple | list) else value
             for key, value in self.fields.items()})


