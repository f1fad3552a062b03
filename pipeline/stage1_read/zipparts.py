"""A lean reader of a zip's directory and parts, for checking a file before a parser sees it.

Python's :mod:`zipfile` costs about as much per small workbook as parsing the workbook
itself (objects per entry, a file-like stream per part). These checks need less: the
directory as the archive declares it, and the first bytes of a few parts, never more
than asked for whatever sizes the archive declares. Anything this reader does not
understand (a bad signature, encryption, an unknown compression) is :class:`BadZip`.
"""

from __future__ import annotations

import struct
import zlib
from typing import NamedTuple


class BadZip(ValueError):
    """The bytes are not a zip archive this reader can check."""


class Entry(NamedTuple):
    name: str
    method: int  # 0 stored, 8 deflated
    flags: int
    packed: int  # bytes, as the directory declares them
    unpacked: int
    offset: int  # of the entry's local header


_END = b"PK\x05\x06"
_END64_LOCATOR = b"PK\x06\x07"
_END64 = b"PK\x06\x06"
_CENTRAL = b"PK\x01\x02"
_LOCAL = b"PK\x03\x04"
_END_SIZE = 22
_CENTRAL_SIZE = 46
_LOCAL_SIZE = 30
_MAX_COMMENT = 0xFFFF
_UNSET32 = 0xFFFFFFFF
_ZIP64_EXTRA = 0x0001
_ENCRYPTED = 0x1
_UTF8_NAME = 0x800


def entries(data: bytes) -> dict[str, Entry]:
    """The archive's directory by entry name (an archive naming an entry twice is
    :class:`BadZip`: parsers differ on which one they read)."""
    try:
        return _entries(data)
    except struct.error as error:  # a record cut short
        raise BadZip(str(error)) from None


def read(data: bytes, entry: Entry, limit: int) -> bytes:
    """At most ``limit`` bytes of the entry's content, from its start; never more than the
    directory declares (an entry that holds more is :class:`BadZip`)."""
    try:
        return _read(data, entry, limit)
    except (struct.error, zlib.error) as error:
        raise BadZip(str(error)) from None


def stored(data: bytes, entry: Entry) -> bytes:
    """The entry's bytes as the archive stores them (compressed): a cheap key for a part whose
    content was seen before."""
    try:
        return _stored(data, entry)
    except struct.error as error:
        raise BadZip(str(error)) from None


def _entries(data: bytes) -> dict[str, Entry]:
    end = _end_record(data)
    count, size, start = struct.unpack_from("<10xHII", data, end)
    if _UNSET32 in (size, start) or count == 0xFFFF:
        count, size, start = _zip64_end(data, end)
    if start + size > len(data):
        raise BadZip("central directory beyond the end of the file")
    found: dict[str, Entry] = {}
    position = start
    for _ in range(count):
        if data[position:position + 4] != _CENTRAL:
            raise BadZip("bad central directory entry")
        (flags, method, packed, unpacked, name_length, extra_length, comment_length,
         offset) = struct.unpack_from("<8xHH8xIIHHH8xI", data, position)
        name_end = position + _CENTRAL_SIZE + name_length
        raw_name = data[position + _CENTRAL_SIZE:name_end]
        name = raw_name.decode("utf-8" if flags & _UTF8_NAME else "cp437", errors="replace")
        if _UNSET32 in (packed, unpacked, offset):
            unpacked, packed, offset = _zip64_sizes(
                data[name_end:name_end + extra_length], unpacked, packed, offset)
        if name in found:  # which of the two would a parser read? Neither: refused
            raise BadZip(f"two entries named {name}")
        found[name] = Entry(name, method, flags, packed, unpacked, offset)
        position = name_end + extra_length + comment_length
    return found


def _stored(data: bytes, entry: Entry) -> bytes:
    if entry.flags & _ENCRYPTED:
        raise BadZip("encrypted entry")
    header = entry.offset
    if data[header:header + 4] != _LOCAL:
        raise BadZip("bad local header")
    name_length, extra_length = struct.unpack_from("<HH", data, header + 26)
    begin = header + _LOCAL_SIZE + name_length + extra_length
    return data[begin:begin + entry.packed]


def _read(data: bytes, entry: Entry, limit: int) -> bytes:
    packed = _stored(data, entry)
    wanted = min(limit, entry.unpacked + 1)  # one byte more shows a part larger than declared
    if entry.method == 0:
        content = packed[:wanted]
    elif entry.method == 8:
        content = zlib.decompressobj(-zlib.MAX_WBITS).decompress(packed, wanted)
    else:
        raise BadZip(f"compression method {entry.method}")
    if len(content) > entry.unpacked:
        raise BadZip("entry larger than its declared size")
    return content


def _end_record(data: bytes) -> int:
    """Where the end-of-directory record starts: the last signature whose comment length
    reaches exactly the end of the file (the comment itself may hold the signature)."""
    floor = max(0, len(data) - _END_SIZE - _MAX_COMMENT)
    end = len(data)
    while (end := data.rfind(_END, floor, end)) >= 0:
        if end + _END_SIZE <= len(data):
            (comment,) = struct.unpack_from("<H", data, end + 20)
            if end + _END_SIZE + comment == len(data):
                return end
    raise BadZip("no end of central directory")


def _zip64_end(data: bytes, end: int) -> tuple[int, int, int]:
    locator = end - 20
    if locator < 0 or data[locator:locator + 4] != _END64_LOCATOR:
        raise BadZip("zip64 end locator missing")
    (record,) = struct.unpack_from("<8xQ", data, locator)
    if data[record:record + 4] != _END64:
        raise BadZip("bad zip64 end record")
    count, size, start = struct.unpack_from("<32xQQQ", data, record)
    return count, size, start


def _zip64_sizes(extra: bytes, unpacked: int, packed: int, offset: int) -> tuple[int, int, int]:
    """The 64-bit values a zip64 extra field holds for the 32-bit fields that are unset."""
    position = 0
    while position + 4 <= len(extra):
        kind, length = struct.unpack_from("<HH", extra, position)
        if kind == _ZIP64_EXTRA:
            values = iter(struct.unpack_from(f"<{length // 8}Q", extra, position + 4))
            try:
                if unpacked == _UNSET32:
                    unpacked = next(values)
                if packed == _UNSET32:
                    packed = next(values)
                if offset == _UNSET32:
                    offset = next(values)
            except StopIteration:
                raise BadZip("short zip64 extra field") from None
            return unpacked, packed, offset
        position += 4 + length
    raise BadZip("zip64 sizes missing")
