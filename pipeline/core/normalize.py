"""Normalisers: whatever an applicant typed becomes a canonical value, None
(nothing typed) or :class:`Invalid` (a problem code). They never raise.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from dataclasses import dataclass

from pipeline.core import domain, eras, wording
from pipeline.core.formspec import FieldSpec

MAX_TEXT = {"text": 400, "long_text": 4000}

# Control characters, and what web pages and Word paste invisibly: soft hyphen, zero-width
# space/joiners, direction marks and embeddings, word joiner and invisible operators, BOM.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u00ad\u180e\u200b-\u200f\u202a-\u202e"
                      "\u2060-\u2064\u2066-\u2069\ufeff]")
# The longest text a field of a short value (a date, a number, a name, a choice) is read in.
# Longer text is never a value of such a field, and cutting it here keeps every pattern below
# linear in practice: no regular expression ever sees more than this many characters of it.
SHORT_VALUE_LIMIT = 200
# The longest text that may be a label (labels are under 30 characters; spaces and marks added).
LABEL_LIMIT = 100
_SPACES = re.compile(r"\s+")
_LABEL_NOISE = re.compile(r"[※＊*★☆]|\((必須|任意)\)|[:：]$")
_DASHES = re.compile(r"[‐‑‒–—―−ーｰ－]")
_WEEKDAY = re.compile(r"[(（][月火水木金土日](曜日?)?[)）]")
_ERA_DATE = re.compile(rf"^({eras.NAMES_PATTERN})(\d{{1,3}}|元)[年./-](\d{{1,2}})(?:[月./-](\d{{1,2}})日?)?月?$")
_WESTERN_DATE = re.compile(r"^(\d{4})[年./-](\d{1,2})(?:[月./-](\d{1,2})日?)?月?$")
_MONTHS = re.compile(r"^(?:約|およそ|おおむね|概ね)?(\d{1,2})(?:か|ヶ|ヵ|カ|箇|ケ|ケ|個)?(?:月)?(?:間)?"
                     r"(?:程度|くらい|ぐらい|ほど|前後)?$")
_HALF_YEAR = re.compile(r"^(?:約|およそ)?半年(?:間)?(?:程度|くらい|ぐらい|ほど)?$")
_KANJI_DIGITS = {"〇": 0, "零": 0, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7,
                 "八": 8, "九": 9}
_KANJI_UNITS = {"十": 10, "百": 100, "千": 1000}
_KANJI_NUMBER = re.compile(r"[〇零一二三四五六七八九十百千]+")
# Words around a month that do not change it: 2016年9月から, 9月頃, 9月予定, 9月上旬.
_MONTH_WORDS = re.compile(r"(?:から|より|以降|頃|ごろ|ころ|予定|目途|めど|目処|"
                          r"上旬|中旬|下旬|初旬|初め|はじめ|中|末|開始|スタート|~|〜|～)+$")
_MONTH_ONLY = re.compile(r"^(\d{1,2})月$")
_YEARS_OF_MONTHS = re.compile(r"^(\d)年(?:間)?(?:程度|くらい|ほど)?$")
_PHONE_PREFIX = re.compile(r"^\s*(?:TEL|Tel|tel|電話番号|電話|℡)\s*[:：.]?\s*")
# Digits, dashes and spaces, with parentheses only around digits: (03)3333-1111.
_PHONE_SPAN = re.compile(r"(?:\d|-|\s(?=[\d(])|\((?=\d)|\)(?=[\d\s-]))+")
_EMAIL = re.compile(r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$")
_EXCEL_EPOCH = dt.date(1899, 12, 30)
# Years a date in a form can mean; beyond them pandas' timestamps overflow (year 2262).
YEARS = range(1900, 2200)
# Excel counts 1900 as a leap year: its serial 60 is a 29 February that never was, and the
# serials before it are a day off (calamine reads 59 and 60 alike as 28 February). A date
# before 1 March 1900 is refused rather than read as another day.
FIRST_REAL_DAY = dt.date(1900, 3, 1)


@dataclass(frozen=True)
class Invalid:
    """A value that could not be read; ``code`` names a :mod:`pipeline.core.problems` kind."""

    code: str
    extra: str = ""


@dataclass(frozen=True)
class MonthOnly:
    """A month typed without its year (``10月``): the round's year is filled in when validated."""

    month: int


@dataclass(frozen=True)
class ReadAs:
    """A value read as what the applicant plainly meant (港区役所 → 港区): validation takes
    ``value`` and says on the row what was ``written``."""

    value: str
    written: str


Value = object  # a canonical value, None, Invalid, MonthOnly or ReadAs


def kanji_digits(text: str) -> str:
    """Kanji numerals as digits: 六 → 6, 二十八 → 28, 二〇二六 → 2026, 二千十六 → 2016,
    百二十 → 120. A run that is no number (二三十) is left as written."""
    return _KANJI_NUMBER.sub(lambda match: _kanji_number(match.group(0)), text)


def _kanji_number(run: str) -> str:
    if not any(unit in run for unit in _KANJI_UNITS):  # digit by digit: 二〇二六
        return "".join(str(_KANJI_DIGITS[ch]) for ch in run)
    total, digit, last_unit = 0, None, 10_000
    for ch in run:
        if ch in _KANJI_DIGITS:
            if digit is not None:
                return run
            digit = _KANJI_DIGITS[ch]
        else:
            unit = _KANJI_UNITS[ch]
            if unit >= last_unit or digit == 0:
                return run
            total += (1 if digit is None else digit) * unit
            digit, last_unit = None, unit
    return str(total + (digit or 0))


def nfkc(text: str) -> str:
    return unicodedata.normalize("NFKC", text)


def label_key(text: object) -> str:
    """A label as typed, reduced so that retyped variants of the same label compare equal.
    Text longer than :data:`LABEL_LIMIT` is no label ("")."""
    if not isinstance(text, str) or len(text) > LABEL_LIMIT:
        return ""
    key = _SPACES.sub("", nfkc(text))
    previous = None
    while previous != key:
        previous, key = key, _LABEL_NOISE.sub("", key)
    return key


def display(raw: object) -> str:
    """The raw value of a cell as staff would read it, for error reports
    (control characters, invisible and unwritable in a workbook, left out)."""
    if raw is None:
        return ""
    if isinstance(raw, float) and raw.is_integer() and abs(raw) < 1e15:
        return str(int(raw))
    if isinstance(raw, float):  # 1e308 as Excel shows it, not as 309 digits
        return f"{raw:.15g}"
    if isinstance(raw, dt.datetime) and raw.time() == dt.time():
        return raw.date().isoformat()
    return _CONTROL.sub("", str(raw))


def clean_text(raw: object) -> str | None:
    """NFKC, no control characters, trimmed; None when nothing is left."""
    if raw is None or isinstance(raw, bool):
        return None if raw is None else str(raw).upper()
    if isinstance(raw, float):
        if math.isnan(raw):
            return None
        text = display(raw)
    elif isinstance(raw, dt.datetime | dt.date | dt.time):
        text = display(raw)
    else:
        text = str(raw)
    text = _CONTROL.sub("", nfkc(text).replace("\r\n", "\n").replace("\r", "\n")).strip()
    return text or None


def _compact(text: str) -> str:
    return _SPACES.sub("", text)


def _excel_serial(value: float) -> dt.date | None:
    if not 1 <= value < 2958466:  # Excel's valid date range
        return None
    return _EXCEL_EPOCH + dt.timedelta(days=int(value))


def parse_date(raw: object, *, day_required: bool = True) -> dt.date | Invalid | None:
    """A date as written in any of the contract's ways, within YEARS."""
    code = "bad_date" if day_required else "bad_year_month"
    value = _parse_date(raw, code, day_required)
    if isinstance(value, dt.date) and (value.year not in YEARS or value < FIRST_REAL_DAY):
        return Invalid(code)
    return value


def _parse_date(raw: object, code: str, day_required: bool) -> dt.date | Invalid | None:
    if isinstance(raw, dt.datetime):
        return raw.date()
    if isinstance(raw, dt.date):
        return raw
    if isinstance(raw, int | float) and not isinstance(raw, bool):
        if isinstance(raw, float) and math.isnan(raw):
            return None
        return _excel_serial(float(raw)) or Invalid(code)
    text = clean_text(raw)
    if text is None:
        return None
    text = kanji_digits(_compact(_WEEKDAY.sub("", text)).upper())
    if era := _ERA_DATE.match(text):
        name, year, month, day = era.groups()
        if day is None and day_required:
            return Invalid(code)
        found = eras.era_day(name, 1 if year == "元" else int(year), int(month),
                             int(day) if day else None)
        if isinstance(found, eras.OutsideEra):
            return Invalid("date_outside_era", wording.era_span(found.era))
        return found or Invalid(code)
    if western := _WESTERN_DATE.match(text):
        year_text, month, day = western.groups()
        year_value = int(year_text)
    else:
        return Invalid(code)
    if day is None and day_required:
        return Invalid(code)
    try:
        return dt.date(year_value, int(month), int(day or 1))
    except ValueError:
        return Invalid(code)


def parse_year_month(raw: object) -> dt.date | MonthOnly | Invalid | None:
    """A year and month, as the first day of that month; the words people add around it
    (から, 頃, 予定, 上旬…) and kanji numerals are read; a month without a year is
    :class:`MonthOnly`."""
    if isinstance(raw, str):
        text = clean_text(raw)
        if text is None:
            return None
        text = _MONTH_WORDS.sub("", kanji_digits(_compact(text)))
        if only := _MONTH_ONLY.match(text):
            month = int(only.group(1))
            return MonthOnly(month) if 1 <= month <= 12 else Invalid("bad_year_month")
        raw = text
    value = parse_date(raw, day_required=False)
    return value.replace(day=1) if isinstance(value, dt.date) else value


def parse_months(raw: object) -> int | Invalid | None:
    if isinstance(raw, int | float) and not isinstance(raw, bool):
        if isinstance(raw, float) and (math.isnan(raw) or not raw.is_integer()):
            return None if math.isnan(raw) else Invalid("bad_months")
        return int(raw)
    text = clean_text(raw)
    if text is None:
        return None
    text = kanji_digits(_compact(text))
    if _HALF_YEAR.match(text):
        return 6
    if year := _YEARS_OF_MONTHS.match(text):
        return 12 * int(year.group(1))  # 1年: read, then refused as outside 4 to 8 months
    match = _MONTHS.match(text)
    return int(match.group(1)) if match else Invalid("bad_months")


def parse_postal_code(raw: object) -> str | Invalid | None:
    if isinstance(raw, float) and raw.is_integer():
        raw = f"{int(raw):07d}"
    text = clean_text(raw)
    if text is None:
        return None
    digits = _DASHES.sub("", _compact(text).removeprefix("〒")).replace("-", "")
    if not re.fullmatch(r"\d{7}", digits):
        return Invalid("bad_postal_code")
    return f"{digits[:3]}-{digits[3:]}"


def parse_phone(raw: object) -> str | Invalid | None:
    """The first telephone number typed, dashed; what follows it (内線, 代表, a second
    number) is kept after a space for display."""
    if isinstance(raw, int | float) and not isinstance(raw, bool) and float(raw).is_integer():
        raw = "0" + str(int(raw))  # typed as a number, Excel dropped the leading zero
    text = clean_text(raw)
    if text is None:
        return None
    text = _PHONE_PREFIX.sub("", _DASHES.sub("-", text))
    found = _PHONE_SPAN.match(text)
    if not found:
        return Invalid("bad_phone")
    span = found.group(0)
    if len(re.sub(r"\D", "", span)) > 11:  # two numbers side by side: the first is the number
        span = span.split()[0]
    number = re.sub("-+", "-", re.sub(r"[()\s]", "-", span)).strip("-")
    if not 10 <= len(number.replace("-", "")) <= 11:
        return Invalid("bad_phone")
    note = text[text.index(span) + len(span):].strip(" 、,/／・-")
    return f"{number} {note}" if note else number


def parse_email(raw: object) -> str | Invalid | None:
    text = clean_text(raw)
    if text is None:
        return None
    email = text.removeprefix("mailto:").strip()
    return email if _EMAIL.fullmatch(email) else Invalid("bad_email")


def parse_text(raw: object, kind: str) -> str | Invalid | None:
    text = clean_text(raw)
    if text is not None and len(text) > MAX_TEXT[kind]:
        return Invalid("text_too_long", str(len(text)))
    if kind == "text" and text is not None:
        text = _SPACES.sub(" ", text)
    return text


def parse_choice(raw: object, choices: tuple[str, ...],
                 short_forms: dict[str, str] | None = None) -> str | Invalid | None:
    """The one choice the input names: exact, a known short form, or a unique containing label."""
    text = clean_text(raw)
    if text is None:
        return None
    typed = _compact(text)
    keys = {_compact(nfkc(choice)): choice for choice in choices}
    if typed in keys:
        return keys[typed]
    if short_forms and typed in short_forms:
        return short_forms[typed]
    matches = [choice for key, choice in keys.items() if len(typed) >= 2 and typed in key]
    if len(matches) == 1:
        return matches[0]
    listed = "、".join(choices)
    return Invalid("ambiguous_choice" if matches else "bad_choice", listed)


_ASIDE = re.compile(r"\([^()]*\)")  # after NFKC: （東京都） is (東京都)
# The words that name one of the four types, longest first: the labels, and the short forms
# but 包括 (too short to look for inside other words).
_ORG_TYPE_WORDS = {_compact(nfkc(label)): key for key, label in domain.ORG_TYPES.items()} | {
    form: key for form, key in domain.ORG_TYPE_SHORT_FORMS.items() if form != "包括"} | {
    "NPO支援センター": "other"}
_ORG_TYPE_WORD = re.compile("|".join(map(re.escape, sorted(_ORG_TYPE_WORDS, key=len, reverse=True))))


def parse_org_type(raw: object) -> str | ReadAs | Invalid | None:
    """One of the four types. A value that begins or ends with the words of exactly one type
    (地域包括支援センター（医療法人…が受託運営）, 〇〇市社会福祉協議会) is read as that type. For a
    type people recognise that is not one of them (株式会社, 学校法人, 個人, その他（株式会社）…),
    the value as written: eligibility refuses it with its own reason. Anything else cannot be
    understood and is an input problem."""
    labels = tuple(domain.ORG_TYPES.values())
    short = {form: domain.ORG_TYPES[key] for form, key in domain.ORG_TYPE_SHORT_FORMS.items()}
    choice = parse_choice(raw, labels, short)
    if not (isinstance(choice, Invalid) and choice.code == "bad_choice"):
        return choice
    written = _SPACES.sub(" ", clean_text(raw) or "")
    text = _compact(written)
    named = _org_types_named(text)
    if len(named) > 1:
        return Invalid("ambiguous_choice", "、".join(labels))
    not_eligible = domain.NOT_ELIGIBLE_TYPES.search(text) is not None
    if named and not (named == {"other"} and not_eligible):  # その他（株式会社）: a company
        return ReadAs(domain.ORG_TYPES[named.pop()], written)
    return text if not_eligible else choice


def _org_types_named(text: str) -> set[str]:
    """The types whose words the value has, when its words outside parentheses begin or end
    with one of them (none otherwise: a type mentioned in passing is not what was chosen)."""
    main = _ASIDE.sub("", text)
    if not any(word.start() == 0 or word.end() == len(main)
               for word in _ORG_TYPE_WORD.finditer(main)):
        return set()
    return {_ORG_TYPE_WORDS[word.group()] for word in _ORG_TYPE_WORD.finditer(text)}


def _municipality_key(text: str) -> str:
    """A municipality's name with the ways people vary its spelling taken out."""
    return domain.MUNICIPALITY_DROPPED_CHARS.sub(
        "", text.translate(domain.MUNICIPALITY_VARIANT_CHARS))


_UNIQUE_STEMS = {m[:-1]: m for m in domain.MUNICIPALITIES
                 if sum(other[:-1] == m[:-1] for other in domain.MUNICIPALITIES) == 1}
_MUNICIPALITY_NAMES = {_municipality_key(written): municipality for written, municipality in
                       [*((m, m) for m in domain.MUNICIPALITIES),
                        *domain.MUNICIPALITY_ALIASES.items()]}
_MUNICIPALITY_NAME = re.compile(
    "|".join(map(re.escape, sorted(_MUNICIPALITY_NAMES, key=len, reverse=True))))
_WHOLE_MUNICIPALITY_NAMES = {_municipality_key(stem): m for stem, m in _UNIQUE_STEMS.items()} | (
    _MUNICIPALITY_NAMES)
_OTHER_PREFECTURE = re.compile(r"(?:北海道|(?:京都|大阪)府|.{2,3}県)")
_POSTAL_MARK = re.compile(r"^〒?\d{3}-?\d{4}")


def parse_municipality(raw: object) -> str | ReadAs | None:
    """One of the 62 when it can be recognised; a :class:`ReadAs` when the value plainly
    names one of them in other words; otherwise the name as written.

    Whether a name as written is outside Tokyo (refused by eligibility) or unclear (an input
    problem) takes the postal data: validation decides.
    """
    text = clean_text(raw)
    if text is None:
        return None
    name = _compact(text).removeprefix("東京都").removeprefix("西多摩郡")
    if name in domain.MUNICIPALITY_AREA:
        return name
    candidates = [name + suffix for suffix in "区市町村" if name + suffix in domain.MUNICIPALITY_AREA]
    if len(candidates) == 1:
        return candidates[0]
    reading = _municipality_reading(name)
    return ReadAs(reading, _SPACES.sub(" ", text)) if reading else name


def _municipality_reading(name: str) -> str | None:
    """The one of the 62 a value plainly names: in a variant spelling (世田ヶ谷区, 桧原村,
    八丈島), or at the start of what was written (港区役所, 八王子市元横山町2-5-6, 府中市(東京都)),
    with no other of the 62 after it and no other prefecture in parentheses."""
    if any(_OTHER_PREFECTURE.match(aside[1:-1]) for aside in _ASIDE.findall(name)):
        return None
    main = _POSTAL_MARK.sub("", _ASIDE.sub("", name)).removeprefix("東京都").removeprefix("西多摩郡")
    key = _municipality_key(main)
    if key in _WHOLE_MUNICIPALITY_NAMES:
        return _WHOLE_MUNICIPALITY_NAMES[key]
    leading = _MUNICIPALITY_NAME.match(key)
    if leading is None:
        return None
    found = _MUNICIPALITY_NAMES[leading.group()]
    after = {_MUNICIPALITY_NAMES[other.group()]
             for other in _MUNICIPALITY_NAME.finditer(key, leading.end())}
    return None if after - {found} else found


# Everything that is not a letter or a digit, and the long-vowel mark (ー used as a dash).
_NOT_CONTENT = re.compile(r"[\W_ー]+")
_NONE_WORDS = re.compile(
    r"(?:特に|とくに|現在|現在は|現状|現状は|今のところ|現時点で|現時点では|該当|該当する(?:もの|機関|団体)?)?"
    r"(?:なし|無し|ナシ|無|ない|無い|ありません|ございません|未定)(?:です)?|na|none|nothing|nil|0件?",
    re.IGNORECASE)


def means_none(text: str) -> bool:
    """A written value that means there is none (なし, 特に無し, 該当なし, 未定, N/A, －, ・):
    after NFKC, without spaces, punctuation and dashes, nothing or a word for none is left."""
    key = _NOT_CONTENT.sub("", nfkc(text))
    return not key or _NONE_WORDS.fullmatch(key) is not None


def has_content(value: object) -> bool:
    """Something written that does not mean "none" (a rubric rule that counts content)."""
    return isinstance(value, str) and not means_none(value)


def parse_mark(raw: object) -> bool | Invalid:
    if raw is None or raw == "":
        return False
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, int | float):
        if raw in (0, 1):
            return bool(raw)
        return Invalid("bad_mark")
    text = clean_text(raw)
    if text is None:
        return False
    mark = _compact(text).upper()
    if mark in domain.MARKS_YES:
        return True
    if mark in domain.MARKS_NO or _DASHES.fullmatch(mark):
        return False
    return Invalid("bad_mark")


def normalize_field(spec: FieldSpec, raw: object) -> Value:
    """The canonical value of one scalar field."""
    if (spec.kind not in ("text", "long_text") and isinstance(raw, str)
            and len(raw) > SHORT_VALUE_LIMIT):
        return Invalid("too_long", str(len(raw)))
    match spec.kind:
        case "date":
            return parse_date(raw)
        case "year_month":
            return parse_year_month(raw)
        case "months":
            return parse_months(raw)
        case "postal_code":
            return parse_postal_code(raw)
        case "phone":
            return parse_phone(raw)
        case "email":
            return parse_email(raw)
        case "org_type":
            return parse_org_type(raw)
        case "municipality":
            return parse_municipality(raw)
        case "choice":
            return parse_choice(raw, spec.choices)
        case "text" | "long_text":
            return parse_text(raw, spec.kind)
    raise ValueError(f"no normaliser for {spec.kind}")  # a programming error, not input


_MONTH_DAY = re.compile(r"^\d{1,2}\s*[/.月-]\s*\d{1,2}\s*日?$")
_TIME_SUFFIX = re.compile(r"^(?P<date>.*?)[T\s]*(?P<h>\d{1,2})[:時](?P<m>\d{1,2})(?:[:分](?P<s>\d{1,2})秒?)?分?$")


def parse_datetime(raw: object, default_year: int | None = None) -> dt.datetime | Invalid | None:
    """A date with an optional time of day (naive: the caller knows the time zone). With
    ``default_year``, a date typed without its year (``7/1 9:00``, ``7月1日``) is in that year."""
    value = _parse_datetime(raw, default_year)
    if isinstance(value, dt.datetime) and (value.year not in YEARS
                                           or value.date() < FIRST_REAL_DAY):
        return Invalid("bad_datetime")
    return value


def has_year(raw: object) -> bool:
    """False for a date typed without its year (``12/25 10:00``, ``1月5日``): its year is a
    guess the caller must make and say. A cell Excel stored as a date has its year."""
    if not isinstance(raw, str) or len(raw) > SHORT_VALUE_LIMIT:  # too long: no date at all
        return True
    text = clean_text(raw)
    return text is None or not _MONTH_DAY.match(_date_and_time(text)[0])


def _date_and_time(text: str) -> tuple[str, re.Match[str] | None]:
    """A date and time as typed: the date part (weekday left out), and the time of day if any."""
    text = _WEEKDAY.sub("", text).strip()
    match = _TIME_SUFFIX.match(text)
    return (match["date"] if match else text).strip(), match


def _parse_datetime(raw: object, default_year: int | None) -> dt.datetime | Invalid | None:
    if isinstance(raw, str) and len(raw) > SHORT_VALUE_LIMIT:
        return Invalid("bad_datetime")
    if isinstance(raw, dt.datetime):
        return raw
    if isinstance(raw, dt.date):
        return dt.datetime.combine(raw, dt.time())
    if isinstance(raw, int | float) and not isinstance(raw, bool):
        if isinstance(raw, float) and math.isnan(raw):
            return None
        day = _excel_serial(float(raw))
        if day is None:
            return Invalid("bad_datetime")
        seconds = round((float(raw) % 1) * 86400)
        return dt.datetime.combine(day, dt.time()) + dt.timedelta(seconds=seconds)
    text = clean_text(raw)
    if text is None:
        return None
    text, match = _date_and_time(text)
    time = dt.time()
    if match:
        hour, minute, second = int(match["h"]), int(match["m"]), int(match["s"] or 0)
        if not (hour < 24 and minute < 60 and second < 60):
            return Invalid("bad_datetime")
        time = dt.time(hour, minute, second)
    if default_year is not None and _MONTH_DAY.match(text):
        text = f"{default_year}/{text}"
    day_value = parse_date(text)
    if not isinstance(day_value, dt.date):
        return Invalid("bad_datetime")
    return dt.datetime.combine(day_value, time)
