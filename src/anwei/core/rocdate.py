"""民國 (ROC) dates as Taiwanese officials write them, and the plan-period arithmetic.

All times are Asia/Taipei. "24時" is the end of the day it names (= 00:00 of the next day); a period that ends at
2月14日24時 therefore ends at 2月15日 00:00, and its length "為期N日" counts the calendar days it touches.
"""

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.utils import timezone, translation

TAIPEI = ZoneInfo("Asia/Taipei")
ROC_OFFSET = 1911
WEEKDAY_NAMES = "一二三四五六日"
EN_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


class RocDateError(ValueError):
    """Text that is not a valid 民國 date or time."""


def local(value: datetime) -> datetime:
    if timezone.is_naive(value):
        raise ValueError("naive datetime: Anwei stores aware datetimes only")
    return value.astimezone(TAIPEI)


def roc_year(value: date) -> int:
    return value.year - ROC_OFFSET


def _as_date(value: date | datetime) -> date:
    return local(value).date() if isinstance(value, datetime) else value


def chinese() -> bool:
    """Whether dates are written the Chinese way now (the active language). Writers of many dates (a CSV) ask once
    and pass the answer as `zh` to the formatters below."""
    return (translation.get_language() or "zh-hant").startswith("zh")


_zh = chinese


def format_date(value: date | datetime, *, weekday: bool = False, year: bool = True, zh: bool | None = None) -> str:
    """103年1月21日（星期二） in Chinese; 2014-01-21 (Tue) in English."""
    day = _as_date(value)
    if _zh() if zh is None else zh:
        text = f"{roc_year(day)}年{day.month}月{day.day}日" if year else f"{day.month}月{day.day}日"
        return text + (f"（星期{WEEKDAY_NAMES[day.weekday()]}）" if weekday else "")
    return day.isoformat() + (f" ({EN_WEEKDAYS[day.weekday()]})" if weekday else "")


def format_datetime(
    value: datetime,
    *,
    weekday: bool = False,
    end: bool = False,
    year: bool = True,
    seconds: bool = False,
    zh: bool | None = None,
) -> str:
    """103年1月21日（星期二）22時 (minutes when not zero). With end=True, midnight is written as 24時 of the
    day before, as plans write the end of a period."""
    moment = local(value)
    hour = moment.hour
    if end and moment.time() == time(0, 0):
        moment = moment - timedelta(days=1)
        hour = 24
    if zh is None:
        zh = _zh()
    day_text = format_date(moment.date(), weekday=weekday, year=year, zh=zh)
    if zh:
        text = f"{day_text}{hour}時"
        if moment.minute or seconds:
            text += f"{moment.minute}分"
        if seconds:
            text += f"{moment.second}秒"
        return text
    clock = f"{hour:02d}:{moment.minute:02d}" + (f":{moment.second:02d}" if seconds else "")
    return f"{day_text} {clock}"


def format_period(start: datetime, end: datetime) -> str:
    """103年1月21日（星期二）22時起至2月14日（星期五）24時止 (the year repeated only when it changes)."""
    same_year = local(start).year == local(end - timedelta(microseconds=1)).year
    first = format_datetime(start, weekday=True)
    last = format_datetime(end, weekday=True, end=True, year=not same_year)
    if _zh():
        return f"{first}起至{last}止"
    return f"{first} to {last}"


def period_days(start: datetime, end: datetime) -> int:
    """Calendar days a period touches, as plans count "為期N日" (1/21 22時 to 2/14 24時 = 25 days)."""
    if end <= start:
        return 0
    first = local(start).date()
    last = local(end - timedelta(microseconds=1)).date()
    return (last - first).days + 1


# ---- parsing -------------------------------------------------------------------------------------------------

_CN_DIGITS = {
    "〇": 0,  # U+3007 IDEOGRAPHIC NUMBER ZERO
    "○": 0,  # U+25CB WHITE CIRCLE, as typed for 〇 in many documents (一○三年)
    "◯": 0,  # U+25EF LARGE CIRCLE
    "零": 0,
    "一": 1,
    "二": 2,
    "兩": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
_CN_UNITS = {"十": 10, "百": 100, "千": 1000}


def chinese_number(text: str) -> int:
    """一百零三 → 103, 二十一 → 21, 十 → 10; written digit by digit, 一〇三 / 一○三 / 一零三 → 103; plain digits."""
    if text.isdigit():
        return int(text)
    if not text or any(char not in _CN_DIGITS and char not in _CN_UNITS for char in text):
        raise RocDateError(f"not a number: {text}")
    if not any(char in _CN_UNITS for char in text):
        # no 十/百/千: each character is one decimal digit (一〇三 = 103), as years are often written
        value = 0
        for char in text:
            value = value * 10 + _CN_DIGITS[char]
        return value
    total, current = 0, 0
    for char in text:
        if char in _CN_DIGITS:
            current = _CN_DIGITS[char]
        else:
            total += (current or 1) * _CN_UNITS[char]
            current = 0
    return total + current


def normalise(text: str) -> str:
    """Full-width digits and brackets to half-width, spaces removed."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


_NUM = r"[0-9〇○◯零一二兩三四五六七八九十百千]+"
_DATETIME_RE = re.compile(
    rf"(?:民國)?(?:(?P<year>{_NUM})年)?(?P<month>{_NUM})月(?P<day>{_NUM})日"
    r"(?:\((?:星期|週|周|禮拜)(?P<weekday>[一二三四五六日天])\))?"
    rf"(?:(?P<ampm>上午|早上|下午|晚上|凌晨|中午)?(?P<hour>{_NUM})(?:時|點)(?:(?P<minute>{_NUM})分)?)?"
)


@dataclass(frozen=True)
class ParsedMoment:
    value: datetime
    year_given: bool
    has_time: bool


def parse_datetime(text: str, *, default_year: int | None = None, end_of_day: bool = False) -> ParsedMoment:
    """Parse 103年1月21日（星期二）22時 (or 2月14日24時 with default_year, a 民國 year). Without an hour the start of
    the day is taken, or its end with end_of_day=True. 24時 is the next day's 00:00. A weekday that does not match
    the date is an error."""
    norm = normalise(text)
    match = _DATETIME_RE.search(norm)
    if not match:
        raise RocDateError(f"no 民國 date in: {text}")
    return _moment_from_match(match, default_year=default_year, end_of_day=end_of_day, source=text)


def _moment_from_match(
    match: re.Match[str], *, default_year: int | None, end_of_day: bool, source: str
) -> ParsedMoment:
    parts = match.groupdict()
    if parts["year"] is None and default_year is None:
        raise RocDateError(f"the year is missing in: {source}")
    year = chinese_number(parts["year"]) if parts["year"] else default_year
    assert year is not None
    try:
        day = date(year + ROC_OFFSET, chinese_number(parts["month"]), chinese_number(parts["day"]))
    except ValueError as exc:
        raise RocDateError(f"no such date: {source}") from exc
    if parts["weekday"]:
        stated = "一二三四五六日".index(parts["weekday"].replace("天", "日"))
        if stated != day.weekday():
            raise RocDateError(
                f"{day.month}月{day.day}日 is 星期{WEEKDAY_NAMES[day.weekday()]}, not 星期{parts['weekday']}: {source}"
            )
    has_time = parts["hour"] is not None
    hour = chinese_number(parts["hour"]) if has_time else (24 if end_of_day else 0)
    minute = chinese_number(parts["minute"]) if parts["minute"] else 0
    if parts["ampm"]:
        hour = _twenty_four_hour(parts["ampm"], hour, source)
    if hour > 24 or minute > 59 or (hour == 24 and minute):
        raise RocDateError(f"no such time: {source}")
    if hour == 24:
        moment = datetime.combine(day + timedelta(days=1), time(0, 0), TAIPEI)
    else:
        moment = datetime.combine(day, time(hour, minute), TAIPEI)
    return ParsedMoment(value=moment, year_given=parts["year"] is not None, has_time=has_time)


def _twenty_four_hour(part_of_day: str, hour: int, source: str) -> int:
    """The hour on the 24-hour clock for an hour said with a part of the day, as officials use them:
    凌晨0時 and 凌晨12時 are the start of the day (0:00); 上午/早上 1–11 the morning and 上午12時 noon;
    中午12時 noon and 中午1時 13:00; 下午 1–11 → 13–23 and 下午12時 noon; 晚上 6–11 → 18–23, and 晚上12時 is
    midnight at the end of that day, the same as 24時. A 24-hour value that agrees (下午15時) is taken as it is;
    one that contradicts the part of the day (上午15時, 晚上3時) is an error rather than a guess."""
    if part_of_day == "凌晨":
        if hour in (0, 12):
            return 0
        if 1 <= hour <= 6:
            return hour
    elif part_of_day in ("上午", "早上"):
        if 0 <= hour <= 12:
            return hour
    elif part_of_day == "中午":
        if hour in (11, 12):
            return hour
        if 1 <= hour <= 2:
            return hour + 12
        if 13 <= hour <= 14:
            return hour
    elif part_of_day == "下午":
        if hour == 12:
            return 12
        if 1 <= hour <= 11:
            return hour + 12
        if 13 <= hour <= 23:
            return hour
    elif part_of_day == "晚上":
        if 6 <= hour <= 11:
            return hour + 12
        if hour in (12, 24):
            return 24
        if 18 <= hour <= 23:
            return hour
    raise RocDateError(f"{part_of_day}{hour}時 is not a time of that part of the day: {source}")


@dataclass(frozen=True)
class RocPeriod:
    start: datetime
    end: datetime
    stated_days: int | None

    @property
    def days(self) -> int:
        return period_days(self.start, self.end)

    @property
    def days_agree(self) -> bool:
        return self.stated_days is None or self.stated_days == self.days


_DAYS_RE = re.compile(rf"為期({_NUM})(?:日|天)")


def parse_period(text: str) -> RocPeriod:
    """Parse a period sentence: "103年1月21日（星期二）22時起至2月14日（星期五）24時止，為期25日"."""
    norm = normalise(text)
    matches = [m for m in _DATETIME_RE.finditer(norm) if m.group("month")]
    if len(matches) < 2:
        raise RocDateError(f"a period needs a start and an end: {text}")
    first = _moment_from_match(matches[0], default_year=None, end_of_day=False, source=text)
    default_year = roc_year(first.value.date())
    last = _moment_from_match(matches[1], default_year=default_year, end_of_day=True, source=text)
    end = last.value
    if not last.year_given and end <= first.value:  # e.g. 12月30日 … 1月3日: the end is in the next year
        end = end.replace(year=end.year + 1)
    if end <= first.value:
        raise RocDateError(f"the period ends before it starts: {text}")
    stated = _DAYS_RE.search(norm)
    return RocPeriod(start=first.value, end=end, stated_days=chinese_number(stated.group(1)) if stated else None)


def today() -> date:
    return timezone.localtime(timezone.now(), TAIPEI).date()
