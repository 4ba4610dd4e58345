"""民國 dates as officials write them: formatting, parsing (incl. 24時) and the plan's day count."""

from datetime import date, datetime

import pytest
from django.utils import translation

from anwei.core import rocdate
from anwei.core.rocdate import TAIPEI, RocDateError


def taipei(*args: int) -> datetime:
    return datetime(*args, tzinfo=TAIPEI)


@pytest.fixture(autouse=True)
def _zh() -> None:
    translation.activate("zh-hant")


def test_format_seed_start() -> None:
    assert rocdate.format_datetime(taipei(2014, 1, 21, 22), weekday=True) == "103年1月21日（星期二）22時"


def test_end_of_period_midnight_is_24h_of_the_day_before() -> None:
    end = taipei(2014, 2, 15, 0)
    assert rocdate.format_datetime(end, weekday=True, end=True) == "103年2月14日（星期五）24時"
    assert rocdate.format_datetime(end) == "103年2月15日0時"


def test_minutes_shown_only_when_not_zero() -> None:
    assert rocdate.format_datetime(taipei(2026, 11, 25, 9, 5)) == "115年11月25日9時5分"


def test_utc_values_are_shown_in_taipei_time() -> None:
    from datetime import UTC

    assert rocdate.format_date(datetime(2014, 1, 21, 17, tzinfo=UTC)) == "103年1月22日"


def test_english_format() -> None:
    with translation.override("en"):
        assert rocdate.format_datetime(taipei(2014, 1, 21, 22), weekday=True) == "2014-01-21 (Tue) 22:00"


def test_parse_with_weekday_and_hour() -> None:
    parsed = rocdate.parse_datetime("103年1月21日（星期二）22時")
    assert parsed.value == taipei(2014, 1, 21, 22)
    assert parsed.year_given and parsed.has_time


def test_parse_24h_is_next_midnight() -> None:
    assert rocdate.parse_datetime("2月14日（星期五）24時", default_year=103).value == taipei(2014, 2, 15, 0)


def test_parse_full_width_and_chinese_numerals() -> None:
    assert rocdate.parse_datetime("民國１０３年１月２１日２２時").value == taipei(2014, 1, 21, 22)
    assert rocdate.parse_datetime("一百零三年一月二十一日下午十點").value == taipei(2014, 1, 21, 22)


def test_parse_rejects_wrong_weekday_missing_year_and_bad_dates() -> None:
    with pytest.raises(RocDateError, match="星期二"):
        rocdate.parse_datetime("103年1月21日（星期三）22時")
    with pytest.raises(RocDateError, match="year"):
        rocdate.parse_datetime("1月21日22時")
    with pytest.raises(RocDateError):
        rocdate.parse_datetime("103年2月30日")
    with pytest.raises(RocDateError):
        rocdate.parse_datetime("103年2月3日24時30分")
    with pytest.raises(RocDateError):
        rocdate.parse_datetime("no date here")


def test_seed_period_sentence() -> None:
    period = rocdate.parse_period("工作期間：103年1月21日（星期二）22時起至2月14日（星期五）24時止，為期25日。")
    assert period.start == taipei(2014, 1, 21, 22)
    assert period.end == taipei(2014, 2, 15, 0)
    assert period.stated_days == 25
    assert period.days == 25
    assert period.days_agree


def test_period_stated_days_mismatch_is_reported() -> None:
    period = rocdate.parse_period("103年1月21日22時起至2月14日24時止，為期20日")
    assert not period.days_agree


def test_period_across_new_year_without_end_year() -> None:
    period = rocdate.parse_period("114年12月30日8時起至1月2日17時止")
    assert period.end == taipei(2026, 1, 2, 17)
    assert period.days == 4


@pytest.mark.parametrize(
    ("start", "end", "days"),
    [
        (taipei(2014, 1, 21, 22), taipei(2014, 2, 15, 0), 25),
        (taipei(2014, 1, 21, 0), taipei(2014, 1, 22, 0), 1),
        (taipei(2014, 1, 21, 23, 59), taipei(2014, 1, 22, 0, 1), 2),
        (taipei(2024, 2, 28, 8), taipei(2024, 3, 1, 8), 3),  # leap year
        (taipei(2014, 1, 22), taipei(2014, 1, 21), 0),
    ],
)
def test_period_days(start: datetime, end: datetime, days: int) -> None:
    assert rocdate.period_days(start, end) == days


def test_format_period_repeats_year_only_when_it_changes() -> None:
    assert (
        rocdate.format_period(taipei(2014, 1, 21, 22), taipei(2014, 2, 15, 0))
        == "103年1月21日（星期二）22時起至2月14日（星期五）24時止"
    )
    # ends at 24時 of 12/31: still the same year
    assert rocdate.format_period(taipei(2025, 12, 31, 8), taipei(2026, 1, 1, 0)).endswith(
        "起至12月31日（星期三）24時止"
    )
    assert rocdate.format_period(taipei(2025, 12, 30, 8), taipei(2026, 1, 2, 0)).endswith(
        "起至115年1月1日（星期四）24時止"
    )


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(ValueError, match="naive"):
        rocdate.format_datetime(datetime(2014, 1, 21, 22))


def test_roc_year_and_template_filters() -> None:
    from django.template import Context, Template

    assert rocdate.roc_year(date(2026, 11, 25)) == 115
    html = Template("{{ d|roc_date:'weekday' }}|{{ e|roc_end }}").render(
        Context({"d": date(2014, 1, 21), "e": taipei(2014, 2, 15, 0)})
    )
    assert html == "103年1月21日（星期二）|103年2月14日（星期五）24時"


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("一〇三", 103),  # U+3007
        ("一○三", 103),  # U+25CB, as typed for 〇
        ("一零三", 103),
        ("一◯三", 103),
        ("一〇", 10),
        ("九九", 99),
        ("一百零三", 103),
        ("一百一十", 110),
        ("十", 10),
        ("十五", 15),
        ("二十一", 21),
        ("一千", 1000),
        ("103", 103),
    ],
)
def test_chinese_numbers_by_units_and_digit_by_digit(text: str, value: int) -> None:
    assert rocdate.chinese_number(text) == value


def test_chinese_number_refuses_other_text() -> None:
    for text in ("", "一x三", "年"):
        with pytest.raises(RocDateError):
            rocdate.chinese_number(text)


@pytest.mark.parametrize("year", ["一〇三", "一○三", "一零三", "103", "一百零三"])
def test_roc_year_written_digit_by_digit_is_not_read_as_three(year: str) -> None:
    assert rocdate.parse_datetime(f"中華民國{year}年1月21日").value == taipei(2014, 1, 21, 0)


@pytest.mark.parametrize(
    ("said", "expected"),
    [
        ("凌晨0時", taipei(2014, 1, 21, 0)),
        ("凌晨12時", taipei(2014, 1, 21, 0)),  # the start of the day
        ("凌晨1時", taipei(2014, 1, 21, 1)),
        ("上午0時", taipei(2014, 1, 21, 0)),
        ("上午11時59分", taipei(2014, 1, 21, 11, 59)),
        ("上午12時", taipei(2014, 1, 21, 12)),
        ("早上8時", taipei(2014, 1, 21, 8)),
        ("中午12時", taipei(2014, 1, 21, 12)),
        ("中午1時", taipei(2014, 1, 21, 13)),
        ("下午12時", taipei(2014, 1, 21, 12)),
        ("下午1時", taipei(2014, 1, 21, 13)),
        ("下午15時", taipei(2014, 1, 21, 15)),  # the 24-hour clock, agreeing
        ("下午11時59分", taipei(2014, 1, 21, 23, 59)),
        ("晚上6時", taipei(2014, 1, 21, 18)),
        ("晚上11時59分", taipei(2014, 1, 21, 23, 59)),
        ("晚上12時", taipei(2014, 1, 22, 0)),  # midnight at the END of that day, as 24時
        ("晚上24時", taipei(2014, 1, 22, 0)),
        ("24時", taipei(2014, 1, 22, 0)),
        ("0時", taipei(2014, 1, 21, 0)),
        ("12時", taipei(2014, 1, 21, 12)),
    ],
)
def test_parts_of_the_day_at_their_boundaries(said: str, expected: datetime) -> None:
    assert rocdate.parse_datetime(f"103年1月21日{said}").value == expected


@pytest.mark.parametrize("said", ["上午13時", "凌晨13時", "晚上3時", "晚上12時30分", "下午24時", "中午5時"])
def test_a_part_of_the_day_that_contradicts_the_hour_is_an_error(said: str) -> None:
    with pytest.raises(RocDateError):
        rocdate.parse_datetime(f"103年1月21日{said}")


def test_period_ending_at_midnight_said_as_evening_12() -> None:
    period = rocdate.parse_period("中華民國一〇三年一月二十一日晚上十時起至二月十四日晚上十二時止，為期二十五日")
    assert period.start == taipei(2014, 1, 21, 22)
    assert period.end == taipei(2014, 2, 15, 0)
    assert period.days_agree
