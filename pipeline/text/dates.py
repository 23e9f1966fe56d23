"""Publication dates, in whatever form feeds and pages write them, to ISO 8601 UTC.

A date that cannot be read is not a reason to drop an article, so every failure is None.
Conventions where the string alone is ambiguous: a date without a time zone is taken as UTC;
"04.09.2025" (dots, the European way) is day first, "04/09/2025" (slashes) month first as in
US feeds; a run of 10 or 13 digits is Unix time in seconds or milliseconds.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

from dateutil import parser as dateutil_parser

_EARLIEST_YEAR, _LATEST_YEAR = 1900, 2100
_UNIX_TIME = re.compile(r"\d{9,10}(?:\.\d+)?|\d{13}")
_DOTTED_DATE = re.compile(r"\b\d{1,2}\.\d{1,2}\.\d{2,4}\b")
_YEAR = re.compile(r"(?<!\d)(?:19|20)\d\d(?!\d)")
_MISSING_PARTS = datetime(2000, 1, 1)  # "September 2025" means its first day, not today's

# dateutil knows only UTC/GMT by name; these are the abbreviations news feeds actually use.
# Fixed offsets: an abbreviation already says whether daylight saving applies.
_HOUR = 3600
_TIME_ZONES = {
    "UT": 0,
    "UTC": 0,
    "GMT": 0,
    "Z": 0,
    "WET": 0,
    "BST": _HOUR,
    "IST": 5 * _HOUR + 1800,
    "CET": _HOUR,
    "CEST": 2 * _HOUR,
    "MEZ": _HOUR,
    "MESZ": 2 * _HOUR,
    "WEST": _HOUR,
    "EET": 2 * _HOUR,
    "EEST": 3 * _HOUR,
    "MSK": 3 * _HOUR,
    "JST": 9 * _HOUR,
    "KST": 9 * _HOUR,
    "HKT": 8 * _HOUR,
    "SGT": 8 * _HOUR,
    "AEST": 10 * _HOUR,
    "AEDT": 11 * _HOUR,
    "NZST": 12 * _HOUR,
    "NZDT": 13 * _HOUR,
    "EST": -5 * _HOUR,
    "EDT": -4 * _HOUR,
    "CST": -6 * _HOUR,
    "CDT": -5 * _HOUR,
    "MST": -7 * _HOUR,
    "MDT": -6 * _HOUR,
    "PST": -8 * _HOUR,
    "PDT": -7 * _HOUR,
    "AKST": -9 * _HOUR,
    "AKDT": -8 * _HOUR,
    "HST": -10 * _HOUR,
}


_ISO_FORMAT = "%Y-%m-%dT%H:%M:%SZ"


def to_utc_iso(value: str | None) -> str | None:
    """Return ``value`` as "YYYY-MM-DDTHH:MM:SSZ" in UTC, or None if it is not a usable date."""
    moment = to_utc(value)
    return None if moment is None else utc_iso(moment)


def utc_iso(moment: datetime) -> str:
    """An aware datetime as "YYYY-MM-DDTHH:MM:SSZ" (the form every record carries)."""
    return moment.astimezone(UTC).strftime(_ISO_FORMAT)


def to_utc(value: str | None) -> datetime | None:
    """``value`` as an aware UTC datetime (whole seconds), or None if it is not a usable date."""
    if not value:
        return None
    moment = _parse(value.strip())
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    try:
        moment = moment.astimezone(UTC)
    except (OverflowError, ValueError):  # an offset that pushes year 1 or 9999 out of range
        return None
    if not _EARLIEST_YEAR <= moment.year <= _LATEST_YEAR:
        return None
    return moment.replace(microsecond=0)


def _parse(text: str) -> datetime | None:
    if not text or len(text) > 100:  # no real date is longer; a long string is page text
        return None
    if _UNIX_TIME.fullmatch(text):
        seconds = float(text) / (1000 if len(text) == 13 else 1)
        try:
            return datetime.fromtimestamp(seconds, UTC)
        except (OverflowError, OSError, ValueError):
            return None
    try:
        return datetime.fromisoformat(text.replace("z", "Z"))
    except ValueError:
        pass
    if not _YEAR.search(text):  # dateutil would read "5" or "May" as a day of this year
        return None
    try:
        return dateutil_parser.parse(
            text,
            default=_MISSING_PARTS,
            dayfirst=bool(_DOTTED_DATE.search(text)),
            tzinfos=_offset_of,
        )
    except (ValueError, OverflowError, TypeError):
        return None


def _offset_of(name: str | None, offset: int | None) -> int | None:
    return _TIME_ZONES.get(name.upper()) if name else offset
