"""Raw record -> normalised article. (Placeholder until the NLP work lands.)"""

from __future__ import annotations

import hashlib
import unicodedata
from collections.abc import Mapping
from typing import Any

from pipeline.errors import InvalidRecord


def normalise(raw: Mapping[str, Any]) -> dict[str, Any]:
    body = raw.get("body") or raw.get("html") or ""
    if not isinstance(body, str):
        raise InvalidRecord(f"body must be a string, got {type(body).__name__}")
    body = unicodedata.normalize("NFC", body).strip()
    if not body:
        raise InvalidRecord("empty body")
    return {
        "id": raw["id"],
        "url": raw.get("url"),
        "domain": None,
        "source": raw.get("source"),
        "title": raw.get("title"),
        "body": body,
        "language": raw.get("language") or "en",
        "language_confidence": 1.0,
        "published_at": raw.get("published_at"),
        "word_count": len(body.split()),
        "content_hash": "sha256:" + hashlib.sha256(body.encode()).hexdigest(),
    }
