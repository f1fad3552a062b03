"""The application form's contract: every field's label, kind and rule (docs/DOMAIN.md).

Other people's tools fill the form by these labels, so they never change
without a new 様式 version.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from pipeline.core import domain, wording

FORM_SHEET = "申請書"
VERSION_LABEL = "様式"
FORM_VERSION = "伴走支援事業申請用紙 第1版"
# A custom document property of each 差戻し workbook: "<SHA-256> <file name>" of the file it
# marks. Excel and LibreOffice keep it when the applicant saves the fixed form, so the
# correction names what it corrects, whatever it is called when it comes back.
CORRECTS_PROPERTY = "bansou-corrects"
# A custom document property of each blank form: the round (round.name) it was made for.
ROUND_PROPERTY = "bansou-round"

Kind = Literal[
    "date", "org_type", "municipality", "choice", "text", "long_text", "postal_code",
    "phone", "email", "year_month", "months", "checklist",
]


@dataclass(frozen=True)
class FieldSpec:
    key: str
    label: str
    kind: Kind
    required: bool
    guide_text: str  # may hold {date} and {month}: the round's examples (wording.form_examples)
    choices: tuple[str, ...] = ()
    items: tuple[str, ...] = ()  # checklist rows
    section: str = ""

    @property
    def guide(self) -> str:
        """The guidance with the seed round's examples (see wording.SEED_EXAMPLES)."""
        return self.guide_for(wording.SEED_EXAMPLES)

    def guide_for(self, examples: Mapping[str, str]) -> str:
        """The guidance with a round's own examples (its form uses it)."""
        return self.guide_text.format_map(examples)

    @property
    def is_checklist(self) -> bool:
        return self.kind == "checklist"


_APPLICANT = "1. 申請団体"
_CONTACT = "2. 担当者連絡先"
_ISSUE = "3. 取組課題"
_SUPPORT = "4. 希望する伴走支援"
_SETUP = "5. 実施体制"

FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec("application_date", "申請日", "date", True,
              "申請する日付を入力してください（例：{date}）。", section=_APPLICANT),
    FieldSpec("org_type", "団体種別", "org_type", True,
              "一覧から団体の種別を選んでください。", tuple(domain.ORG_TYPES.values()),
              section=_APPLICANT),
    FieldSpec("org_name", "団体名", "text", True, "団体の正式名称を入力してください。",
              section=_APPLICANT),
    FieldSpec("representative", "代表者職氏名", "text", True,
              "代表者の職名と氏名を入力してください（例：区長 山田太郎）。", section=_APPLICANT),
    FieldSpec("municipality", "区市町村", "municipality", True,
              "団体が活動する都内の区市町村を一覧から選んでください。", domain.MUNICIPALITIES,
              section=_APPLICANT),
    FieldSpec("postal_code", "郵便番号", "postal_code", True,
              "7桁の郵便番号を入力してください（例：163-8001）。", section=_APPLICANT),
    FieldSpec("address", "所在地", "text", True, "団体の所在地を入力してください。",
              section=_APPLICANT),
    FieldSpec("intermediary_function", "中間支援機能の概要", "long_text", False,
              "団体種別が「その他」の場合は必ず、地域の活動を支える中間支援の機能を記入してください。",
              section=_APPLICANT),
    FieldSpec("department", "担当部署", "text", True, "担当する部署名を入力してください。",
              section=_CONTACT),
    FieldSpec("contact_name", "担当者氏名", "text", True, "担当者の氏名を入力してください。",
              section=_CONTACT),
    FieldSpec("phone", "電話番号", "phone", True,
              "日中に連絡がつく電話番号を市外局番から入力してください（例：03-1234-5678）。",
              section=_CONTACT),
    FieldSpec("email", "メールアドレス", "email", True,
              "連絡用のメールアドレスを1つ入力してください。", section=_CONTACT),
    FieldSpec("challenge_category", "取組課題の区分", "choice", True,
              "取組課題に最も近い区分を一覧から選んでください。",
              tuple(domain.CHALLENGE_CATEGORIES), section=_ISSUE),
    FieldSpec("challenge_detail", "取組課題の内容", "long_text", True,
              "地域の課題と、伴走支援で取り組みたいことを具体的に記入してください。", section=_ISSUE),
    FieldSpec("current_activities", "現在の取組状況", "long_text", True,
              "現在行っている取組とその状況を記入してください。", section=_ISSUE),
    FieldSpec("partners", "連携先の関係機関・団体", "long_text", False,
              "連携している、または連携予定の関係機関・団体を記入してください（任意）。",
              section=_ISSUE),
    FieldSpec("goals", "伴走支援で目指す成果", "long_text", True,
              "支援期間の終わりに目指す状態や成果を記入してください。", section=_ISSUE),
    FieldSpec("menus", "希望する支援メニュー", "checklist", True,
              "希望するメニューの右の欄に「○」を選んでください（複数可、1つ以上）。",
              items=tuple(domain.MENUS), section=_SUPPORT),
    FieldSpec("menu_other", "その他の希望内容", "long_text", False,
              "メニュー「その他」に○を付けた場合は、希望する支援の内容を記入してください。",
              section=_SUPPORT),
    FieldSpec("start_month", "希望開始時期", "year_month", True,
              "支援の開始を希望する年月を入力してください（例：{month}）。", section=_SUPPORT),
    FieldSpec("duration_months", "希望期間（か月）", "months", True,
              "4から8までの月数を入力してください（例：6）。", section=_SUPPORT),
    FieldSpec("commitments", "実施体制の確認", "checklist", False,
              "団体として実施できる項目の右の欄に「○」を選んでください。",
              items=domain.COMMITMENTS, section=_SETUP),
    FieldSpec("pre_consultation", "事前相談の有無", "choice", True,
              "事務局への事前相談の有無を選んでください。", domain.YES_NO, section=_SETUP),
    FieldSpec("mailed_materials", "補足資料の郵送", "choice", False,
              "補足資料を郵送する場合は「あり」を選んでください（任意）。", domain.YES_NO,
              section=_SETUP),
)

FIELDS_BY_KEY: dict[str, FieldSpec] = {f.key: f for f in FIELDS}
FIELDS_BY_LABEL: dict[str, FieldSpec] = {f.label: f for f in FIELDS}
SCALAR_FIELDS = tuple(f for f in FIELDS if not f.is_checklist)
CHECKLIST_FIELDS = tuple(f for f in FIELDS if f.is_checklist)


def item_key(field: FieldSpec, item: str) -> str:
    """Column name of one checklist item, e.g. ``menus:プラン策定支援``."""
    return f"{field.key}:{item}"


def _label_rows() -> dict[str, int]:
    """Where each label stands in the blank form we write (zero-based rows of column A): a
    section heading before each new section, checklist items under their heading."""
    rows: dict[str, int] = {}
    row, section = 4, ""
    for spec in FIELDS:
        if spec.section != section:
            section, row = spec.section, row + 1
        rows[spec.key] = row
        row += 1
        for item in spec.items:
            rows[item_key(spec, item)] = row
            row += 1
    return rows


# The blank form's layout (tests/test_form.py proves it is the one written): a label missing
# from a returned form is named with the cell where the blank form had it.
LABEL_ROWS = _label_rows()
