"""Topic names, in one place. Data flows raw -> normalised -> tagged -> enriched."""

from __future__ import annotations

from dataclasses import dataclass

from pipeline.settings import Settings


@dataclass(frozen=True)
class Topics:
    raw: str
    normalised: str
    tagged: str
    enriched: str
    deadletter: str

    @classmethod
    def from_settings(cls, settings: Settings) -> Topics:
        p = settings.topic_prefix
        return cls(
            raw=f"{p}news.raw",
            normalised=f"{p}news.normalised",
            tagged=f"{p}news.tagged",
            enriched=f"{p}news.enriched",
            deadletter=f"{p}news.deadletter",
        )

    def all(self) -> tuple[str, ...]:
        return (self.raw, self.normalised, self.tagged, self.enriched, self.deadletter)

    def by_short_name(self, name: str) -> str:
        """``enriched`` or ``news.enriched`` -> the full topic name (prefix applied)."""
        short = name.removeprefix("news.")
        if short not in ("raw", "normalised", "tagged", "enriched", "deadletter"):
            return name
        return str(getattr(self, short))
