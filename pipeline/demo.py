"""A realistic sample round: returned forms, a receipt register and reviewers' sheets.

The forms are made by filling the real blank form: the plain ones by writing
their input cells straight into the form's sheet XML (fast enough for 10,000
forms), the ones with a changed layout (inserted rows, a merged input cell)
with openpyxl, as an applicant's Excel would. Every planted problem records
the 判定 it should end in, so the demo doubles as an end-to-end test.
"""

from __future__ import annotations

import datetime as dt
import io
import random
import re
import shutil
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from xml.sax.saxutils import escape

import openpyxl
import python_calamine
from openpyxl.worksheet.worksheet import Worksheet

from pipeline.core import domain, postal
from pipeline.core.errors import BansouError
from pipeline.core.formspec import FIELDS_BY_KEY, FORM_SHEET, item_key
from pipeline.core.names import FORM_FILE, REVIEW_FILE
from pipeline.core.settings import JST, RoundSettings
from pipeline.core.timing import Progress
from pipeline.core.wording import era_date
from pipeline.run import run_round
from pipeline.stage1_read.forms import read_grid
from pipeline.stage1_read.inbox import REGISTER_NAME, REVIEW_DIR
from pipeline.stage3_write.form import write_form
from pipeline.stage3_write.selection import RoundResult
from pipeline.stage3_write.xlsx import new_openpyxl_workbook, save_openpyxl

ELIGIBLE = frozenset({"選定", "選外"})
_EXCEL_EPOCH = dt.date(1899, 12, 30)
_SHEET_XML = "xl/worksheets/sheet1.xml"


class FormTemplate:
    """The blank form, ready to be filled many times over."""

    def __init__(self, blank: Path) -> None:
        self.blank = blank
        with zipfile.ZipFile(blank) as archive:
            self.entries = {name: archive.read(name) for name in archive.namelist()}
        workbook = python_calamine.CalamineWorkbook.from_path(str(blank))
        sheet = workbook.get_sheet_by_name(FORM_SHEET)
        form = read_grid(blank.name, sheet.to_python(skip_empty_area=False),
                         sheet.merged_cell_ranges or [])
        workbook.close()
        self.addresses = {key: cell.address for key, cell in form.cells.items()}

    def fill(self, target: Path, values: dict[str, object]) -> None:
        """Write ``values`` (by field key or checklist item key) into the input cells."""
        sheet = self.entries[_SHEET_XML].decode()
        for key, value in values.items():
            if value is None:
                continue
            address = self.addresses[key]
            match = re.search(rf'<c r="{address}" s="(\d+)"/>', sheet)
            if match is None:
                raise ValueError(f"input cell {address} not found in the blank form")
            filled = _cell(address, match.group(1), value)
            sheet = sheet[:match.start()] + filled + sheet[match.end():]
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for name, data in self.entries.items():
                archive.writestr(_entry(name), sheet.encode() if name == _SHEET_XML else data,
                                 compresslevel=1)
        target.write_bytes(buffer.getvalue())


def _entry(name: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=(2016, 6, 1, 0, 0, 0))  # deterministic bytes
    info.compress_type = zipfile.ZIP_DEFLATED
    return info


def _cell(address: str, style: str, value: object) -> str:
    if isinstance(value, dt.date):
        return f'<c r="{address}" s="{style}"><v>{(value - _EXCEL_EPOCH).days}</v></c>'
    if isinstance(value, int | float) and not isinstance(value, bool):
        return f'<c r="{address}" s="{style}"><v>{value}</v></c>'
    text = escape(str(value))
    space = ' xml:space="preserve"' if text != text.strip() or "\n" in text else ""
    return f'<c r="{address}" s="{style}" t="inlineStr"><is><t{space}>{text}</t></is></c>'


# --- Plausible applicants -----------------------------------------------------------------

_SURNAMES = ["佐藤", "鈴木", "高橋", "田中", "伊藤", "渡辺", "山本", "中村", "小林", "加藤", "吉田", "山田", "佐々木", "山口", "松本", "井上", "木村", "林", "清水", "斎藤"]
_GIVEN = ["花子", "太郎", "恵子", "健一", "裕子", "浩二", "直美", "誠", "由美", "大輔", "真理子", "隆", "明美", "和也", "陽子", "修", "智子", "剛", "京子", "学"]
_TOWNS = ["本町", "中央", "緑町", "栄町", "旭町", "幸町", "東町", "南町", "北町", "若葉", "桜台", "富士見町"]
_CENTER_NAMES = ["北部", "南部", "中央", "あさひ", "みどり", "ひばり", "さくら", "けやき"]
_NPO_NAMES = ["まちづくり", "市民活動", "ボランティア・市民活動", "地域協働", "NPO"]

_ISSUES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "地域課題の共有・共通目標づくり": (
        ("高齢化率が30%を超える団地で、見守りや買い物支援の必要が高まっている。",
         "地区ごとに福祉課題が異なるのに、関係者が集まって話し合う場がない。",
         "町会・民生委員・事業者がそれぞれ活動しているが、目指す姿が共有されていない。",
         "介護予防の担い手づくりについて、行政と社協の考え方が揃っていない。"),
        ("関係者が課題を「我が事」として捉え、共通の目標を持てるようにしたい。",
         "協議体の運営を見直し、話し合いを具体的な活動につなげたい。",
         "住民向けワークショップを重ね、地区ごとの行動計画を作りたい。"),
    ),
    "活動の継続・資金確保": (
        ("立ち上がった通いの場のうち、3割が2年以内に休止している。",
         "移動支援の試行が補助金の終了とともに続けられなくなるおそれがある。",
         "子ども食堂と高齢者サロンの合同事業が、会場費と人件費を賄えていない。"),
        ("寄付や事業収入を組み合わせた継続の仕組みを計画にまとめたい。",
         "活動団体が自ら資金計画を立てられるよう支援の方法を学びたい。",
         "企業との協働で活動の財源と担い手を確保したい。"),
    ),
    "担い手の発掘・拡大": (
        ("定年退職後の男性が地域活動に参加するきっかけが少ない。",
         "ボランティアの平均年齢が70歳を超え、新たな担い手が見つからない。",
         "専門的な技能を持つ住民がいるが、地域活動に生かす仕組みがない。"),
        ("地域デビュー講座を見直し、参加後の活動につながる流れを作りたい。",
         "プロボノの仕組みを取り入れ、団体の運営課題を地域の力で解決したい。",
         "企業退職者向けの情報発信と受け皿づくりを進めたい。"),
    ),
    "その他": (
        ("災害時の要配慮者支援と平時の見守り活動が結びついていない。",
         "外国籍住民の増加に、地域の支え合い活動が対応できていない。"),
        ("平時の見守りを災害時にも生かせる体制を検討したい。",
         "多文化共生の視点を取り入れた地域活動の進め方を学びたい。"),
    ),
}
_CURRENT = (
    "地域サロン{n}か所の立ち上げと運営を支援している。",
    "生活支援コーディネーターを{n}名配置し、地区ごとの協議体を開催している。",
    "ボランティア講座を年{n}回開催し、修了者の活動先を紹介している。",
    "地域の居場所マップを作成し、{n}団体の活動を紹介している。",
)
_PARTNERS = ("地域包括支援センター、町会・自治会、民生委員・児童委員協議会",
             "社会福祉協議会、NPO法人、地元商店会", "大学、企業の社会貢献担当、シルバー人材センター",
             "生活支援コーディネーター、老人クラブ連合会")
_GOALS = ("支援期間中に新たな担い手{n}人が活動を始め、{m}つの新規活動が立ち上がる。",
          "関係者が共有する地域の目標と、{m}つの地区別行動計画ができる。",
          "活動団体{n}団体が継続のための資金計画を作成する。",
          "地域デビュー講座の修了者のうち{n}%が地域活動に参加する。")


@dataclass
class DemoFile:
    """One file of the sample inbox and the 判定 it should end in."""

    name: str
    expected: frozenset[str]
    planted: str = ""  # which real-world mess this file carries


@dataclass
class DemoRound:
    directory: Path
    files: list[DemoFile] = field(default_factory=list)

    @property
    def inbox(self) -> Path:
        return self.directory / "inbox"

    @property
    def outbox(self) -> Path:
        return self.directory / "outbox"


def _applicant(rng: random.Random, index: int, org_type: str,
               municipality: str) -> dict[str, object]:
    area = domain.MUNICIPALITY_AREA[municipality]
    office = "役場" if municipality.endswith(("町", "村")) else "役所"
    head = {"区": "区長", "市": "市長", "町": "町長", "村": "村長"}[municipality[-1]]
    person = f"{rng.choice(_SURNAMES)} {rng.choice(_GIVEN)}"
    names = {
        "municipality": (f"{municipality}{office}", f"{head} {person}", "福祉部 地域包括ケア推進課"),
        "council": (f"社会福祉法人 {municipality}社会福祉協議会", f"会長 {person}", "地域福祉推進課"),
        "center": (f"{municipality}{rng.choice(_CENTER_NAMES)}地域包括支援センター",
                   f"センター長 {person}", "生活支援担当"),
        "other": (f"特定非営利活動法人 {municipality}{rng.choice(_NPO_NAMES)}サポートセンター",
                  f"理事長 {person}", "事業推進部"),
    }
    org_name, representative, department = names[org_type]
    phone = {domain.AREA_WARDS: f"03-{rng.randint(3000, 6999)}-{rng.randint(0, 9999):04d}",
             domain.AREA_TAMA: f"042-{rng.randint(300, 799)}-{rng.randint(0, 9999):04d}",
             domain.AREA_ISLANDS: f"04992-{rng.randint(2, 9)}-{rng.randint(0, 9999):04d}"}[area]
    prefix = "" if area == domain.AREA_WARDS and rng.random() < 0.5 else "東京都"
    category = rng.choice(list(domain.CHALLENGE_CATEGORIES))
    issues, aims = _ISSUES[category]
    recommended = list(domain.CHALLENGE_CATEGORIES[category])
    menus = set(rng.sample(recommended, k=min(len(recommended), rng.randint(1, 2))) if recommended
                else [rng.choice(list(domain.MENUS)[:-1])])
    if rng.random() < 0.35:
        menus.add(rng.choice(list(domain.MENUS)[:-1]))
    values: dict[str, object] = {
        "application_date": dt.date(2016, 6, 1) + dt.timedelta(days=rng.randint(0, 28)),
        "org_type": domain.ORG_TYPES[org_type],
        "org_name": org_name,
        "representative": representative,
        "municipality": municipality,
        "postal_code": rng.choice(postal.tokyo_codes()[municipality]),
        "address": f"{prefix}{municipality}{rng.choice(_TOWNS)}{rng.randint(1, 5)}-{rng.randint(1, 30)}"
                   f"-{rng.randint(1, 20)}",
        "department": department,
        "contact_name": f"{rng.choice(_SURNAMES)} {rng.choice(_GIVEN)}",
        "phone": phone,
        "email": f"chiiki{index:05d}@{'city' if org_type == 'municipality' else 'org'}.example.jp",
        "challenge_category": category,
        "challenge_detail": " ".join([*rng.sample(issues, k=min(2, len(issues))), rng.choice(aims)]),
        "current_activities": rng.choice(_CURRENT).format(n=rng.randint(2, 30)),
        "partners": rng.choice(_PARTNERS) if rng.random() < 0.8 else None,
        "goals": rng.choice(_GOALS).format(n=rng.randint(5, 50), m=rng.randint(2, 5)),
        "start_month": f"2016年{rng.randint(8, 12)}月",
        "duration_months": rng.randint(4, 8),
        "pre_consultation": "あり" if rng.random() < 0.6 else "なし",
        "mailed_materials": rng.choice(["あり", "なし", None]),
    }
    if org_type == "other":
        values["intermediary_function"] = ("区内のNPO・ボランティア団体の立ち上げ相談、情報発信、"
                                           "団体同士のネットワークづくりを行っている。")
    menus_field = FIELDS_BY_KEY["menus"]
    for menu in menus:
        values[item_key(menus_field, menu)] = "○"
    commitments = FIELDS_BY_KEY["commitments"]
    for item in rng.sample(domain.COMMITMENTS, k=rng.randint(2, 5)):
        values[item_key(commitments, item)] = "○"
    return values


# --- The planted problems ------------------------------------------------------------------

Edit = Callable[[dict[str, object]], None]


def _set(**changes: object) -> Edit:
    def edit(values: dict[str, object]) -> None:
        values.update(changes)
    return edit


def _with_tokyo_prefix(values: dict[str, object]) -> None:
    values["municipality"] = f"東京都{values['municipality']}"


def _from_kawasaki(values: dict[str, object]) -> None:
    values.update(org_name="特定非営利活動法人 川崎市中原区まちづくりサポートセンター",
                  municipality="川崎市", address="神奈川県川崎市中原区小杉町1-1",
                  postal_code="211-0063", phone="044-722-0000")


# (what the mess is, the 判定 it should end in, the 団体種別 it fits, the change)
_PLANTED: list[tuple[str, frozenset[str], str, Edit]] = [
    ("全角数字", ELIGIBLE, "municipality",
     _set(phone="０３－３２１２－５１１１", postal_code="１６３－８００１",
          application_date="２０１６年６月１０日")),
    ("和暦の日付", ELIGIBLE, "council",
     _set(application_date="平成28年6月15日", start_month="平成28年10月")),
    ("社協の略称", ELIGIBLE, "council", _set(org_type="社協")),
    ("包括の略称", ELIGIBLE, "center", _set(org_type="包括")),
    ("東京都付きの区市町村", ELIGIBLE, "municipality", _with_tokyo_prefix),
    ("期間が６ヶ月", ELIGIBLE, "other", _set(duration_months="６ヶ月")),
    ("数式に見える文字", ELIGIBLE, "center",
     _set(challenge_detail='=HYPERLINK("http://example.com","詳細")',
          goals="+担い手を増やす -離職を減らす @地域全体で")),
    ("都外からの申請", frozenset({"不適格"}), "other", _from_kawasaki),
    ("締切後の受付", frozenset({"不適格"}), "council", _set()),
    ("未記入の多い申請", frozenset({"要修正"}), "municipality",
     _set(phone=None, email="未定", challenge_detail=None, duration_months="1年")),
]


def generate_round(directory: Path, settings: RoundSettings, forms: int = 40,
                   seed: int = 2016) -> DemoRound:
    """Write ``directory/inbox`` (forms, register) and return what each file should become."""
    rng = random.Random(seed)
    demo = DemoRound(directory)
    demo.inbox.mkdir(parents=True, exist_ok=True)
    blank = directory / FORM_FILE
    write_form(blank, settings)
    template = FormTemplate(blank)
    municipalities = list(domain.MUNICIPALITIES)
    types = list(domain.ORG_TYPES)
    received: dict[str, object] = {}
    senders: dict[str, str] = {}
    used: set[str] = set()
    late_file = ""

    def add(values: dict[str, object], expected: frozenset[str], planted: str = "",
            edit: Callable[[Worksheet], None] | None = None) -> str:
        short = re.sub(r"^(社会福祉法人|特定非営利活動法人) ", "", str(values["org_name"]))
        name = f"申請書_{short}.xlsx" if forms <= 500 else f"申請_{len(demo.files):05d}.xlsx"
        while name in used:
            name = name.replace(".xlsx", "_2.xlsx")
        used.add(name)
        template.fill(demo.inbox / name, values)
        if edit:
            _edit_with_openpyxl(demo.inbox / name, edit)
        demo.files.append(DemoFile(name, expected, planted))
        when = dt.datetime.combine(_as_date(values["application_date"]),
                                   dt.time(rng.randint(9, 17), rng.randint(0, 59)))
        received[name] = when
        senders[name] = str(values["email"])  # the address the e-mail came from
        return name

    index = 0
    organisations: set[tuple[object, str]] = set()

    def next_applicant(org_type: str | None = None) -> dict[str, object]:
        nonlocal index
        org_type = org_type or types[index % len(types)]
        municipality = municipalities[(index * 7) % len(municipalities)]
        index += 1
        values = _applicant(rng, index, org_type, municipality)
        if (values["org_name"], municipality) in organisations:  # one application each
            values["org_name"] = f"{values['org_name']} 第{index}地区"
        organisations.add((values["org_name"], municipality))
        return values

    for planted, expected, org_type, edit in _PLANTED:
        values = next_applicant(org_type)
        edit(values)
        name = add(values, expected, planted)
        if planted == "締切後の受付":
            late_file = name
    add(next_applicant(), ELIGIBLE, "行の挿入", lambda sheet: insert_rows(sheet, 8, 2))
    add(next_applicant(), ELIGIBLE, "結合された入力欄", _merge_input)

    first = next_applicant()
    first_name = add(first, frozenset({"重複"}), "再提出前の申請")
    resubmitted = dict(first, goals=str(first["goals"]) + "（再提出：成果指標を追記）")
    resubmitted_name = add(resubmitted, ELIGIBLE, "同じ団体の再提出")
    received[resubmitted_name] = received[first_name] + dt.timedelta(days=1)  # type: ignore[operator]

    for name, data, planted in [
        ("申請書_破損.xlsx", _corrupt(template), "壊れたファイル"),
        ("申請書_旧形式.xls", _legacy_xls(), "旧形式の.xls"),
        ("申請書_スキャン.pdf", b"%PDF-1.4\n% scanned application\n", "誤って送られたPDF"),
    ]:
        (demo.inbox / name).write_bytes(data)
        demo.files.append(DemoFile(name, frozenset({"読込不可"}), planted))

    while len(demo.files) < forms:
        add(next_applicant(), ELIGIBLE)
    received[late_file] = dt.datetime(2016, 7, 1, 9, 12)
    _write_register(demo.inbox / REGISTER_NAME, received, senders, rng,
                    listed=(first_name, resubmitted_name))
    return demo


def _as_date(value: object) -> dt.date:
    if isinstance(value, dt.date):
        return value
    return dt.date(2016, 6, 20)  # a planted text date: the register decides anyway


def _edit_with_openpyxl(path: Path, edit: Callable[[Worksheet], None]
                        ) -> None:
    workbook = openpyxl.load_workbook(path)
    edit(workbook[FORM_SHEET])
    save_openpyxl(workbook, path)


def insert_rows(sheet: Worksheet, index: int, amount: int) -> None:
    """Insert rows as Excel does: merged ranges below move too (openpyxl leaves them)."""
    _insert(sheet, index, amount, rows=True)


def insert_cols(sheet: Worksheet, index: int, amount: int) -> None:
    """Insert columns as Excel does: merged ranges to the right move too."""
    _insert(sheet, index, amount, rows=False)


def _insert(sheet: Worksheet, index: int, amount: int, rows: bool) -> None:
    moving = [r for r in sheet.merged_cells.ranges if (r.min_row if rows else r.min_col) >= index]
    for merged in moving:
        sheet.unmerge_cells(merged.coord)
    (sheet.insert_rows if rows else sheet.insert_cols)(index, amount)
    for merged in moving:
        merged.shift(0 if rows else amount, amount if rows else 0)
        sheet.merge_cells(merged.coord)


def _merge_input(sheet: Worksheet) -> None:
    for row in sheet.iter_rows():
        if row[0].value == "取組課題の内容":
            sheet.merge_cells(start_row=row[0].row, start_column=2, end_row=row[0].row,
                              end_column=3)
            return


def _corrupt(template: FormTemplate) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in template.entries.items():
            archive.writestr(_entry(name), data)
    return buffer.getvalue()[: len(buffer.getvalue()) // 2]  # cut off in transit


def _legacy_xls() -> bytes:
    """The start of an Excel 97-2003 (OLE compound) file."""
    header = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 16 + b"\x3e\x00\x03\x00\xfe\xff\x09\x00"
    return header + b"\x00" * (512 - len(header)) + "Workbook".encode("utf-16-le")


def _write_register(path: Path, received: dict[str, object], senders: dict[str, str],
                    rng: random.Random, listed: tuple[str, ...] = ()) -> None:
    """Staff's register: most files listed (always ``listed``), with the address each e-mail
    came from, in the cell types staff actually use."""
    workbook = new_openpyxl_workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "受付簿"
    sheet.append(["No.", "ファイル名", "受付日時", "送信元", "受付者", "備考"])
    names = sorted(received, key=lambda n: (received[n], n))
    others = [n for n in names[:-1] if n not in listed]
    unlisted = set(rng.sample(others, k=min(2, len(others))))
    number = 0
    for name in names:
        if name in unlisted:
            continue  # not noted by staff: the form's 申請日 decides
        number += 1
        when = received[name]
        assert isinstance(when, dt.datetime)
        style = number % 3
        cell: object = (when if style == 0 else when.strftime("%Y/%m/%d %H:%M") if style == 1
                        else f"{era_date(when.date())} {when.hour}時{when.minute:02d}分")
        sheet.append([number, name, cell, senders.get(name), rng.choice(_SURNAMES), ""])
    sheet.column_dimensions["B"].width = 48
    sheet.column_dimensions["C"].width = 26
    sheet.column_dimensions["D"].width = 30
    save_openpyxl(workbook, path)


def fill_reviews(demo: DemoRound, review_sheet: Path, seed: int = 2016) -> None:
    """Three reviewers return their sheets: one declares a conflict, two disagree once."""
    rng = random.Random(seed + 1)
    sheet = openpyxl.load_workbook(review_sheet)["審査票"]
    header = next(r for r in sheet.iter_rows() if r[0].value == "ファイル名")
    columns = {c.value: c.column for c in header}
    rows = [r[0].row for r in sheet.iter_rows(min_row=header[0].row + 1) if r[0].value]
    quality = {r: rng.randint(2, 5) for r in rows}
    (demo.inbox / REVIEW_DIR).mkdir(exist_ok=True)
    for number, reviewer in enumerate(("審査員A 山田", "審査員B 鈴木", "審査員C 高橋")):
        copy = openpyxl.load_workbook(review_sheet)
        target = copy["審査票"]
        name_cell = next(c for r in target.iter_rows() for c in r if c.value == "審査員氏名")
        target.cell(name_cell.row, name_cell.column + 1).value = reviewer
        for position, row in enumerate(rows):
            if number == 2 and position == 0:
                target.cell(row, columns["利害関係あり"]).value = "○"
                target.cell(row, columns["コメント"]).value = "申請団体の理事を務めているため"
                continue
            for label in ("課題の明確さ", "実現可能性", "波及効果"):
                score = max(1, min(5, quality[row] + rng.choice((-1, 0, 0, 1))))
                if position == 1 and label == "実現可能性":
                    score = 5 if number == 0 else 2  # the disagreement
                target.cell(row, columns[label]).value = score
        save_openpyxl(copy, demo.inbox / REVIEW_DIR / f"審査票_{reviewer.split()[0]}.xlsx")


_MARKER = ".bansou-demo"
_REVIEWED_UP_TO = 500  # larger rounds (benchmarks) are run without reviewers' sheets


def prepare_directory(directory: Path) -> None:
    """Make ``directory`` ready for a fresh demo; never touch a folder that is not a demo's."""
    if directory.exists() and any(directory.iterdir()) and not (directory / _MARKER).exists():
        raise BansouError(f"{directory} は見本用のフォルダではありません。空のフォルダか、"
                          "新しいフォルダ名を指定してください。")
    for part in ("inbox", "outbox", FORM_FILE):
        target = directory / part
        if target.is_dir():
            shutil.rmtree(target)
        elif target.exists():
            target.unlink()
    directory.mkdir(parents=True, exist_ok=True)
    (directory / _MARKER).write_text("bansou demo\n", encoding="utf-8")


def run_demo(directory: Path, settings: RoundSettings, *, forms: int = 40, seed: int = 2016,
             progress: Progress | None = None, support_year: bool = False
             ) -> tuple[DemoRound, RoundResult]:
    """Generate the round, run it, let three reviewers score, and run it again. With
    ``support_year``, the office then returns the plans and logs of half a year of support
    (pipeline.demo_year) and the round is run at that later date."""
    demo = generate_round(directory, settings, forms, seed)
    result = run_round(demo.inbox, demo.outbox, settings, DEMO_RUN_AT, progress)
    if forms <= _REVIEWED_UP_TO:
        fill_reviews(demo, demo.outbox / REVIEW_FILE, seed)
        result = run_round(demo.inbox, demo.outbox, settings, DEMO_RUN_AT, progress)
    if support_year:
        from pipeline.demo_year import DEMO_SUPPORT_RUN_AT, fill_support_year

        fill_support_year(directory, result, settings)
        result = run_round(demo.inbox, demo.outbox, settings, DEMO_SUPPORT_RUN_AT, progress,
                           report=True)
    return demo, result


# After the deadline with every review in, before the 再提出期限: the forms sent back for fixing
# can still come back, so the ranking is 暫定 for that reason only (after the 再提出期限 they
# would be 不適格, and there would be no 差戻し to show).
DEMO_RUN_AT = dt.datetime(2016, 7, 5, 10, 0, tzinfo=JST)
