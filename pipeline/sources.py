"""Read raw articles from files and folders: the inputs of ``replay`` and ``enrich``.

Formats by extension: ``.txt`` (an optional title line, a blank line, then the body; without
the blank line the whole file is the body), ``.html``/``.htm`` (a page), ``.json`` (one record)
and ``.jsonl`` (one record per line). A file that cannot be read becomes a ``SourceError`` and
the walk goes on.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

SUFFIXES = (".txt", ".html", ".htm", ".json", ".jsonl")
RECORD_FIELDS = ("id", "url", "source", "title", "published_at", "language", "body", "html")


@dataclass(frozen=True)
class SourceError:
    origin: str
    reason: str


def article_id(record: dict[str, Any]) -> str:
    """The given id, else a hash of the URL, else a hash of the content: stable across replays."""
    given = record.get("id")
    if isinstance(given, str | int) and not isinstance(given, bool) and str(given).strip():
        return str(given).strip()
    url = record.get("url")
    basis = url if isinstance(url, str) and url.strip() else None
    if basis is None:
        content = record.get("body") if record.get("body") is not None else record.get("html")
        basis = content if isinstance(content, str) else orjson.dumps(content).decode()
    return hashlib.sha256(basis.encode("utf-8", "surrogatepass")).hexdigest()[:20]


def expand_paths(paths: Iterable[Path]) -> Iterator[Path]:
    """Files in the order given; folders walked recursively in sorted order."""
    for path in paths:
        if path.is_dir():
            yield from sorted(p for p in path.rglob("*") if p.is_file() and _readable(p))
        else:
            yield path


def _readable(path: Path) -> bool:
    return path.suffix.lower() in SUFFIXES and not path.name.startswith(".")


def read_records(paths: Iterable[Path]) -> Iterator[dict[str, Any] | SourceError]:
    for path in expand_paths(paths):
        try:
            yield from _read_file(path)
        except (OSError, ValueError) as exc:
            yield SourceError(str(path), f"{type(exc).__name__}: {exc}")


def _read_file(path: Path) -> Iterator[dict[str, Any] | SourceError]:
    suffix = path.suffix.lower()
    origin = str(path)
    if suffix not in SUFFIXES:
        raise ValueError(
            f"unsupported file type {suffix!r} (expected one of {', '.join(SUFFIXES)})"
        )
    data = path.read_bytes()
    if suffix == ".jsonl":
        for number, line in enumerate(data.splitlines(), start=1):
            if line.strip():
                yield _from_json(line, f"{origin}:{number}")
        return
    if suffix == ".json":
        yield _from_json(data, origin)
        return
    text = data.decode("utf-8", errors="replace")
    if suffix in (".html", ".htm"):
        yield _finish({"html": text}, origin)
    else:
        yield _finish(_from_text(text), origin)


def _from_text(text: str) -> dict[str, Any]:
    head, sep, rest = text.lstrip("\ufeff").partition("\n\n")
    # A first line followed by a blank line is a title only when it is short and unpunctuated,
    # so a one-paragraph lead is not mistaken for one.
    if sep and "\n" not in head.strip() and len(head) < 300 and not head.rstrip().endswith("."):
        return {"title": head.strip(), "body": rest}
    return {"body": text}


def _from_json(data: bytes, origin: str) -> dict[str, Any] | SourceError:
    try:
        loaded = orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        return SourceError(origin, f"invalid JSON: {exc}")
    if not isinstance(loaded, dict):
        return SourceError(origin, f"expected a JSON object, got {type(loaded).__name__}")
    return _finish(loaded, origin)


def _finish(record: dict[str, Any], origin: str) -> dict[str, Any]:
    # Field values are passed on as given, wrong types and missing bodies included: judging
    # them is pipeline.records.validate_raw's job, applied by the normalise stage, which
    # dead-letters them with the original bytes.
    out = {k: record[k] for k in RECORD_FIELDS if k in record}
    out["id"] = article_id(record)
    out["origin"] = origin
    return out
