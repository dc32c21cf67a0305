from datetime import UTC, datetime

import pytest

from gateway.search import DATE_MAX, DATE_MIN, DateRange, parse_date_range, period_range
from gateway.search.dates import to_epoch_micros


def _at(year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0, micro: int = 0) -> int:
    return to_epoch_micros(datetime(year, month, day, hour, minute, second, micro, tzinfo=UTC))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024", DateRange(_at(2024, 1, 1), _at(2025, 1, 1))),
        ("2024-12", DateRange(_at(2024, 12, 1), _at(2025, 1, 1))),
        ("2024-02", DateRange(_at(2024, 2, 1), _at(2024, 3, 1))),
        ("2024-03-01", DateRange(_at(2024, 3, 1), _at(2024, 3, 2))),
        ("2024-03-01T10:00", DateRange(_at(2024, 3, 1, 10), _at(2024, 3, 1, 10, 1))),
        ("2024-03-01T10:00:00Z", DateRange(_at(2024, 3, 1, 10), _at(2024, 3, 1, 10, 0, 1))),
        ("2024-03-01T12:00:00+02:00", DateRange(_at(2024, 3, 1, 10), _at(2024, 3, 1, 10, 0, 1))),
        ("2024-03-01T10:00:00.5Z", DateRange(_at(2024, 3, 1, 10, 0, 0, 500000), _at(2024, 3, 1, 10, 0, 0, 600000))),
        ("2024-03-01T10:00:00.123Z", DateRange(_at(2024, 3, 1, 10, 0, 0, 123000), _at(2024, 3, 1, 10, 0, 0, 124000))),
    ],
)
def test_a_value_covers_its_whole_precision(text: str, expected: DateRange) -> None:
    assert parse_date_range(text) == expected


@pytest.mark.parametrize("text", ["notadate", "2024-13", "2024-02-30", "24-01-01", "2024-01-01T25:00:00Z", ""])
def test_malformed_values_are_rejected(text: str) -> None:
    assert parse_date_range(text) is None


def test_period_bounds_use_their_own_precision_and_open_ends_are_infinite() -> None:
    assert period_range("2024-01", "2024-02-10") == DateRange(_at(2024, 1, 1), _at(2024, 2, 11))
    assert period_range(None, "2024") == DateRange(DATE_MIN, _at(2025, 1, 1))
    assert period_range("2024", None) == DateRange(_at(2024, 1, 1), DATE_MAX)
    assert period_range("bad", None) is None


def test_an_inverted_period_covers_its_start_so_no_range_is_empty() -> None:
    assert period_range("2025-03-01", "2024-01-01") == parse_date_range("2025-03-01")
    assert period_range("2024-03-01T10:00:00Z", "2024-03-01T10:00:00Z") == parse_date_range("2024-03-01T10:00:00Z")
