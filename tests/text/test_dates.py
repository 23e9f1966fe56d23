from __future__ import annotations

import pytest

from pipeline.text.dates import to_utc_iso


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2025-09-04T09:30:00Z", "2025-09-04T09:30:00Z"),
        ("2025-09-04T11:30:00+02:00", "2025-09-04T09:30:00Z"),
        ("2025-09-04T02:30:00.123456-07:00", "2025-09-04T09:30:00Z"),
        ("2025-09-04 09:30:00", "2025-09-04T09:30:00Z"),  # no zone: taken as UTC
        ("2025-09-04", "2025-09-04T00:00:00Z"),
        ("Thu, 04 Sep 2025 11:30:00 +0200", "2025-09-04T09:30:00Z"),  # RSS (RFC 822)
        ("Thu, 04 Sep 2025 09:30:00 GMT", "2025-09-04T09:30:00Z"),
        ("4 September 2025 04:30 EST", "2025-09-04T09:30:00Z"),
        ("Sept 4, 2025 2:30am PDT", "2025-09-04T09:30:00Z"),
        ("04.09.2025 11:30 CEST", "2025-09-04T09:30:00Z"),  # dotted: day first
        ("09/04/2025 9:30 AM", "2025-09-04T09:30:00Z"),  # slashes: month first
        ("2025-09-05T00:30:00+09:00", "2025-09-04T15:30:00Z"),
        ("2025-09-04T23:30:00-05:00", "2025-09-05T04:30:00Z"),  # zone moves it to the next day
        ("1757001600", "2025-09-04T16:00:00Z"),  # Unix seconds
        ("1757001600000", "2025-09-04T16:00:00Z"),  # Unix milliseconds
        ("September 2025", "2025-09-01T00:00:00Z"),
    ],
)
def test_parses_to_utc(value: str, expected: str) -> None:
    assert to_utc_iso(value) == expected


@pytest.mark.parametrize(
    "value",
    [
        None,
        "",
        "   ",
        "garbage",
        "yesterday",
        "5",
        "May",
        "2025-13-45",
        "31.02.2025",
        "0001-01-01T00:00:00+05:00",
        "1800-01-01",
        "x" * 10_000,
    ],
)
def test_unusable_dates_are_none(value: str | None) -> None:
    assert to_utc_iso(value) is None
