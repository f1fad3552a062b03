"""A hostile inbox, made by code: every kind of file the run must survive, and the
判定 and reason each must end with."""

from __future__ import annotations

import io
import os
import random
import struct
import unicodedata
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from tests.formfactory import make_form, with_values


@dataclass(frozen=True)
class Hostile:
    name: str
    decisions: frozenset[str]
    reason: str  # a fragment the 理由 must contain


UNREADABLE = frozenset({"読込不可"})
ELIGIBLE = frozenset({"選定", "選外"})
NEEDS_FIX = frozenset({"要修正"})


def _zip_from(path: Path, change: Callable[[str, bytes], bytes | None],
              extra: dict[str, bytes] | None = None, *, level: int = 6) -> bytes:
    """The workbook at ``path`` with entries changed (None drops one) and some added."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED,
                                                          compresslevel=level) as target:
        for name in source.namelist():
            data = change(name, source.read(name))
            if data is not None:
                target.writestr(name, data)
        for name, data in (extra or {}).items():
            target.writestr(name, data)
    return buffer.getvalue()


def _sheet(name: str) -> bool:
    return name == "xl/worksheets/sheet1.xml"


def _bomb(path: Path, target: Path) -> None:
    """A real zip whose sheet inflates to 1 GiB."""
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED,
                                                          compresslevel=1) as out:
        for name in source.namelist():
            if _sheet(name):
                with out.open(name, "w", force_zip64=True) as stream:
                    block = b" " * (1 << 24)
                    for _ in range(64):
                        stream.write(block)
            else:
                out.writestr(name, source.read(name))


def _lying(data: bytes) -> bytes:
    """Patch every record of the sheet entry to declare a tiny uncompressed size."""
    name = b"xl/worksheets/sheet1.xml"
    out = bytearray(data)
    offset = 0
    while (offset := out.find(name, offset)) != -1:
        header = out.rfind(b"PK", 0, offset)
        signature = bytes(out[header:header + 4])
        if signature == b"PK\x03\x04":
            struct.pack_into("<I", out, header + 22, 100)
        elif signature == b"PK\x01\x02":
            struct.pack_into("<I", out, header + 24, 100)
        offset += len(name)
    return bytes(out)


def build(inbox: Path, blank_dir: Path) -> list[Hostile]:
    """Write the hostile corpus into ``inbox``; return what each file must become."""
    rng = random.Random(693)
    expected: list[Hostile] = []
    good = make_form(inbox.parent / "good.xlsx", blank_dir=blank_dir)
    good_bytes = good.read_bytes()

    def add(name: str, data: bytes, decisions: frozenset[str], reason: str) -> None:
        (inbox / name).write_bytes(data)
        expected.append(Hostile(unicodedata.normalize("NFC", name), decisions, reason))

    password = (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504)
                + "EncryptionInfo".encode("utf-16-le") + bytes(64))
    add("password.xlsx", password, UNREADABLE, "パスワードを外して再送してください")
    add("legacy.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(1024), UNREADABLE, "（.xls）")
    add("scan.xlsx", b"%PDF-1.7\n" + bytes(rng.getrandbits(8) for _ in range(500)),
        UNREADABLE, "PDFファイルです")
    word = io.BytesIO()
    with zipfile.ZipFile(word, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    add("letter.xlsx", word.getvalue(), UNREADABLE, "Wordファイルです")
    add("photo.xlsx", b"\x89PNG\r\n\x1a\n" + bytes(200), UNREADABLE, "画像ファイルです")
    add("empty.xlsx", b"", UNREADABLE, "空（0バイト）")
    add("noise.xlsx", bytes(rng.getrandbits(8) for _ in range(4096)), UNREADABLE,
        "Excelブック（.xlsx）として開けません")
    add("truncated.xlsx", good_bytes[: len(good_bytes) // 2], UNREADABLE, "途中までしか届いていません")
    _bomb(good, inbox / "bomb.xlsx")
    expected.append(Hostile("bomb.xlsx", UNREADABLE, "大きすぎます"))
    add("liar.xlsx", _lying(_zip_from(good, lambda n, d: d + b" " * (4 << 20) if _sheet(n) else d)),
        UNREADABLE, "壊れている")
    entity_bomb = (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
                   + b"".join(b'<!ENTITY lol%d "&lol%d;&lol%d;&lol%d;&lol%d;">' % (i + 1, i, i, i, i)
                              for i in range(9)) + b"]><worksheet>&lol9;</worksheet>")
    add("entities.xlsx", _zip_from(good, lambda n, d: entity_bomb if _sheet(n) else d),
        UNREADABLE, "DTD")
    external = (b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
                b"<worksheet>&e;</worksheet>")
    add("external.xlsx", _zip_from(good, lambda n, d: external if _sheet(n) else d),
        UNREADABLE, "外部参照")
    sparse = _zip_from(good, lambda n, d: d.replace(
        b"</sheetData>", b'<row r="1048576"><c r="XFD1048576" t="n"><v>1</v></c></row></sheetData>'
    ) if _sheet(n) else d)
    add("sparse.xlsx", sparse, UNREADABLE, "極端に広いシート")
    far_row = _zip_from(good, lambda n, d: d.replace(  # a cell placed by its row's number only
        b"</sheetData>", b'<row r="900000"><c t="inlineStr"><is><t>x</t></is></c></row></sheetData>'
    ) if _sheet(n) else d)
    add("far_row.xlsx", far_row, UNREADABLE, "極端に広いシート")
    wide = _zip_from(good, lambda n, d: d.replace(  # cells placed one after another, far right
        b"</sheetData>", b'<row r="1999">' + b"<c><v>1</v></c>" * 300 + b"</row></sheetData>"
    ) if _sheet(n) else d)
    add("wide.xlsx", wide, UNREADABLE, "極端に広いシート")
    macro = _zip_from(good, lambda n, d: d, {"xl/vbaProject.bin": b"\xd0\xcf\x11\xe0macro"})
    add("macro.xlsm", macro, ELIGIBLE, "マクロは実行していません")

    # names: very long, decomposed (from a Mac), spaces, upper-case extension, a copy
    long_name = "とても長いファイル名" * 8 + ".xlsx"  # 245 bytes: near the 255 of most file systems
    make_form(inbox / long_name, with_values({"団体名": "長い名前の会", "区市町村": "八王子市",
                                               "郵便番号": "192-0001", "所在地": "八王子市1-1"}),
              blank_dir=blank_dir)
    expected.append(Hostile(long_name, ELIGIBLE, "位"))
    decomposed = unicodedata.normalize("NFD", "ガバナンス がぎぐ.xlsx")
    make_form(inbox / decomposed, with_values({"団体名": "マックの会", "区市町村": "大島町",
                                                "郵便番号": "100-0101", "所在地": "大島町1"}),
              blank_dir=blank_dir)
    expected.append(Hostile(unicodedata.normalize("NFC", decomposed), ELIGIBLE, "位"))
    upper = inbox / "UPPER CASE.XLSX"
    upper.write_bytes(good_bytes)
    expected.append(Hostile("UPPER CASE.XLSX", ELIGIBLE | {"重複"}, ""))
    (inbox / "UPPER CASE (2).XLSX").write_bytes(good_bytes)
    expected.append(Hostile("UPPER CASE (2).XLSX", ELIGIBLE | {"重複"}, ""))

    # field values: formulas, DDE, control characters, 10,000 characters, emoji and rare kanji
    hostile_values = with_values({
        "団体名": "=HYPERLINK(\"http://evil.example\",\"押してください\")",
        "代表者職氏名": "+cmd|' /C calc'!A0",
        "担当部署": "-2+3",
        "担当者氏名": "@SUM(1+1)*cmd|' /C notepad'!'A1'",
        "所在地": "\t=1+1 東京都新宿区1-1",
        "区市町村": "新宿区",
        "郵便番号": "160-0001",
        "取組課題の内容": "CONTROL-CHARACTERS",
        "現在の取組状況": "長" * 10_000,
        "伴走支援で目指す成果": "=DDE(\"cmd\";\"/C calc\";\"!A0\")",
    })
    made = make_form(inbox.parent / "formulas.xlsx", hostile_values, blank_dir=blank_dir)
    # Excel stores control characters as _xHHHH_ escapes; openpyxl refuses to write them.
    escaped = "𠮷野家の🍚と_x0007_ベル_x001B_[31m色_x0000_".encode()
    (inbox / "formulas.xlsx").write_bytes(_zip_from(
        made, lambda n, d: d.replace(b"CONTROL-CHARACTERS", escaped)))
    expected.append(Hostile("formulas.xlsx", NEEDS_FIX, "入力の不備が1件"))
    emoji = with_values({"団体名": "𠮷田🌸サロン", "区市町村": "町田市", "郵便番号": "194-0001",
                         "所在地": "町田市1-1", "取組課題の内容": "=1+1"})
    make_form(inbox / "emoji.xlsx", emoji, blank_dir=blank_dir)
    expected.append(Hostile("emoji.xlsx", ELIGIBLE, "位"))
    (inbox / "someone_elses_folder").mkdir()
    (inbox / "someone_elses_folder" / "private.xlsx").write_bytes(good_bytes)
    os.utime(inbox, None)
    return expected
