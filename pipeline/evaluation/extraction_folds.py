"""`news-pipeline eval extraction --folds N`: how well the extraction rules carry to unseen sites.

The rules in pipeline/text/extraction.py were chosen by looking at all the development pages,
so their score there is optimistic (hidden pages of the same benchmark score lower). Here the
pages are split into N folds by site (a site's pages stay together, so a rule that fits one
site's markup cannot be tuned and scored on the same site); for each fold the rules are chosen
among the candidates (CANDIDATES) on the other folds and scored on that fold. Each rule is also
switched off (or to its alternatives) alone, to show what it gains on each fold and on how many
pages it changes anything: a rule that helps on one fold only, or on two pages, fits pages, not
news sites.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields, replace
from typing import Any
from urllib.parse import urlparse

from pipeline.evaluation.shingles import PageCounts, page_counts, score
from pipeline.text.extraction import DEFAULT_RULES, ExtractionRules

# The values each rule may take; the product is the candidate set.
CANDIDATES: dict[str, tuple[Any, ...]] = {
    "favor_precision": (True, False),
    "include_tables": (True, False),
    "full_run_below_chars": (0, 500, 1000, 2000),
    "drop_repeated_headline": (True, False),
    "visible_text_fallback": (True, False),
    "keep_embedded_posts": (True, False),
    "drop_boilerplate_lines": (True, False),
    "add_recall_paragraphs": (False, True),
}


def site_folds(urls: Mapping[str, str], folds: int) -> list[list[str]]:
    """Page ids in `folds` groups; the sites, in name order, are dealt out in turn."""
    by_site: dict[str, list[str]] = {}
    for page_id in sorted(urls):
        site = urlparse(urls[page_id]).netloc.removeprefix("www.")
        by_site.setdefault(site, []).append(page_id)
    out: list[list[str]] = [[] for _ in range(folds)]
    for k, site in enumerate(sorted(by_site)):
        out[k % folds].extend(by_site[site])
    return out


@dataclass(frozen=True)
class _Table:
    """Per-page counts of every candidate rule set (computed once, then sliced by fold)."""

    counts: dict[ExtractionRules, dict[str, PageCounts]]
    bodies: dict[ExtractionRules, dict[str, str]]

    def f1(self, rules: ExtractionRules, pages: Sequence[str]) -> float:
        """The F1 `eval extraction` reports, on these pages only."""
        return score(self.counts[rules][p] for p in pages).f1


def candidates() -> list[ExtractionRules]:
    names = list(CANDIDATES)
    return [
        ExtractionRules(**dict(zip(names, values, strict=True)))
        for values in itertools.product(*CANDIDATES.values())
    ]


def score_table(
    pages: Sequence[tuple[str, bytes]],
    truth: Mapping[str, str],
    rule_sets: Sequence[ExtractionRules],
) -> _Table:
    from pipeline.text.cleaning import clean_text
    from pipeline.text.extraction import extract_body

    bodies: dict[ExtractionRules, dict[str, str]] = {rules: {} for rules in rule_sets}
    for page_id, html in pages:
        # The page is parsed, and read by trafilatura with each set of its options, once.
        memo: dict[Any, Any] = {}
        for rules in rule_sets:
            bodies[rules][page_id] = clean_text(
                extract_body(html, rules, memo), lines_are_paragraphs=True
            )
    counts = {
        rules: {p: page_counts(truth[p], bodies[rules][p]) for p in truth} for rules in rule_sets
    }
    return _Table(counts, bodies)


def _best(table: _Table, pages: Sequence[str]) -> ExtractionRules:
    # Ties go to the rules that differ least from the shipped ones (a rule that changes
    # nothing on the tuning folds keeps its shipped value), then to the earlier candidate.
    return max(table.counts, key=lambda r: (round(table.f1(r, pages), 6), -_distance(r)))


def _distance(rules: ExtractionRules) -> int:
    return sum(getattr(rules, f.name) != getattr(DEFAULT_RULES, f.name) for f in fields(rules))


def _differs(rules: ExtractionRules) -> str:
    changed = [
        f"{f.name}={getattr(rules, f.name)}"
        for f in fields(rules)
        if getattr(rules, f.name) != getattr(DEFAULT_RULES, f.name)
    ]
    return ", ".join(changed) or "the shipped rules"


def cross_validate(
    pages: Sequence[tuple[str, bytes]],
    truth: Mapping[str, str],
    urls: Mapping[str, str],
    k: int,
    rule_sets: Sequence[ExtractionRules] | None = None,
) -> str:
    """The report: per fold, the rules chosen (among `rule_sets`, default all candidates) on
    the other folds and their scores; then what each shipped rule gains on each fold."""
    truth = {p: truth[p] for p, _ in pages if p in truth}
    groups = site_folds({p: urls.get(p, p) for p in truth}, k)
    grid = list(rule_sets or candidates())
    if DEFAULT_RULES not in grid:
        grid.append(DEFAULT_RULES)
    table = score_table([(p, h) for p, h in pages if p in truth], truth, grid)
    lines = [f"{len(truth)} pages, {k} folds by site"]
    chosen: list[PageCounts] = []
    for n, held in enumerate(groups):
        tune = [p for g in groups if g is not held for p in g]
        best = _best(table, tune)
        chosen.extend(table.counts[best][p] for p in held)
        lines.append(
            f"fold {n} ({len(held)} pages): chosen on the rest: {_differs(best)}\n"
            f"  tuned-on F1 {table.f1(best, tune):.4f}  held-out F1 {table.f1(best, held):.4f}"
            f"  (shipped rules there: {table.f1(DEFAULT_RULES, held):.4f},"
            f" best possible there: {max(table.f1(r, held) for r in table.counts):.4f})"
        )
    lines.append(
        f"cross-validated F1 (each page scored by rules chosen without its site): "
        f"{score(chosen).f1:.4f}; shipped rules on all pages: "
        f"{table.f1(DEFAULT_RULES, list(truth)):.4f}"
    )
    lines.append("each shipped rule against its alternatives (F1 change per fold; pages changed):")
    for name, values in CANDIDATES.items():
        for value in values:
            if value == getattr(DEFAULT_RULES, name):
                continue
            other = replace(DEFAULT_RULES, **{name: value})
            if other not in table.counts:
                continue
            deltas = "  ".join(
                f"{table.f1(DEFAULT_RULES, g) - table.f1(other, g):+.4f}" for g in groups
            )
            changed = sum(table.bodies[DEFAULT_RULES][p] != table.bodies[other][p] for p in truth)
            lines.append(
                f"  {name}={getattr(DEFAULT_RULES, name)} vs {value}: {deltas}; {changed} pages"
            )
    return "\n".join(lines)
