"""The lean zip reader agrees with zipfile on every archive zipfile writes, and refuses what
it cannot check."""

from __future__ import annotations

import io
import struct
import zipfile

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from pipeline.stage1_read import zipparts

_parts = st.dictionaries(
    st.text(st.characters(codec="utf-8", exclude_characters="\x00/\\"), min_size=1, max_size=20),
    st.tuples(st.binary(max_size=3000), st.sampled_from([zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED]),
              st.booleans()),
    max_size=8)


def _archive(parts: dict[str, tuple[bytes, int, bool]], comment: bytes = b"") -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.comment = comment
        for name, (content, method, zip64) in parts.items():
            info = zipfile.ZipInfo(name)
            info.compress_type = method
            with archive.open(info, "w", force_zip64=zip64) as stream:
                stream.write(content)
    return buffer.getvalue()


@settings(max_examples=150, deadline=None)
@given(_parts, st.binary(max_size=100))
def test_agrees_with_zipfile(parts: dict[str, tuple[bytes, int, bool]], comment: bytes) -> None:
    assume(b"PK" not in comment)  # zipfile itself can mistake such a comment for the directory
    data = _archive(parts, comment)
    entries = zipparts.entries(data)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert sorted(entries) == sorted(archive.namelist())
        for info in archive.infolist():
            entry = entries[info.filename]
            assert (entry.packed, entry.unpacked) == (info.compress_size, info.file_size)
            assert zipparts.read(data, entry, 1 << 20) == archive.read(info)
            assert zipparts.read(data, entry, 7) == archive.read(info)[:7]


def test_a_comment_holding_the_end_signature() -> None:
    data = _archive({"a.xml": (b"<a/>", zipfile.ZIP_DEFLATED, False)}, b"PK\x05\x06" + b"\x00" * 30)
    entries = zipparts.entries(data)
    assert zipparts.read(data, entries["a.xml"], 100) == b"<a/>"


def test_an_entry_named_twice_is_refused() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive, pytest.warns(UserWarning, match="Duplicate"):
        archive.writestr("xl/worksheets/sheet1.xml", b"<worksheet/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"<worksheet/>")
    with pytest.raises(zipparts.BadZip, match="two entries named"):
        zipparts.entries(buffer.getvalue())


@pytest.mark.slow
def test_zip64_directory() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for number in range(70_000):  # more entries than a 16-bit count holds
            archive.writestr(f"{number}.txt", b"")
        archive.writestr("last.xml", b"<x/>")
    data = buffer.getvalue()
    entries = zipparts.entries(data)
    assert len(entries) == 70_001
    assert zipparts.read(data, entries["last.xml"], 100) == b"<x/>"


def _patched(data: bytes, signature: bytes, offset: int, value: int, fmt: str = "<H") -> bytes:
    out = bytearray(data)
    struct.pack_into(fmt, out, out.find(signature) + offset, value)
    return bytes(out)


@pytest.mark.parametrize("damage", [
    lambda d: d[: len(d) // 2],  # cut off in transit
    lambda d: d[:-30],  # the directory's end lost
    lambda d: _patched(d, b"PK\x01\x02", 8, 0x1),  # encrypted
    lambda d: _patched(d, b"PK\x01\x02", 10, 14),  # LZMA: not an Excel workbook
    lambda d: _patched(d, b"PK\x01\x02", 24, 3, "<I"),  # holds more than it declares
    lambda d: _patched(d, b"PK\x03\x04", 0, 0, "<I"),  # local header overwritten
])
def test_refuses_what_it_cannot_check(damage) -> None:
    data = damage(_archive({"a.xml": (b"<a>" + b"x" * 500 + b"</a>", zipfile.ZIP_DEFLATED,
                                      False)}))
    with pytest.raises(zipparts.BadZip):
        for entry in zipparts.entries(data).values():
            zipparts.read(data, entry, 1 << 20)
