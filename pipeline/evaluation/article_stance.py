"""Article-level stance gold: what a reader says each BBC article's stance towards an entity is.

The gold (``article_stance_gold.json``) names articles of the shared BBC corpus by file id
(pipeline.evaluation.bbc) and, for each entity the project's tagger finds in it, its key, name
and a reader's label (favor / against / neutral); no article text is kept. Its articles are cut
into a ``tune`` half, which chose the stance stage's aggregation of sentence readings, and a
``held-out`` half, which only reports it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import orjson

from pipeline.evaluation.bbc import Article, tagged_articles
from pipeline.stages.stance import StanceClassifier, StanceSettings, TargetScorer
from pipeline.stance_model import LABELS
from pipeline.stance_model.aggregation import Aggregation
from pipeline.stance_model.inputs import Span
from pipeline.stance_model.metrics import ClassScore, macro_f1, per_class
from pipeline.stance_model.runtime import Query

GOLD = Path(__file__).with_name("article_stance_gold.json")
SPLITS = ("tune", "held-out")


@dataclass(frozen=True, slots=True)
class GoldArticle:
    file_id: str
    split: str
    labels: dict[str, str]  # entity key -> favor / against / neutral


def load_gold(path: Path = GOLD) -> list[GoldArticle]:
    data = orjson.loads(path.read_bytes())
    articles = []
    for article in data["articles"]:
        if article["split"] not in SPLITS:
            raise ValueError(f"{path}: {article['file_id']} has split {article['split']!r}")
        labels = {entity["key"]: entity["label"] for entity in article["entities"]}
        articles.append(GoldArticle(article["file_id"], article["split"], labels))
    return articles


class CachedScorer:
    """A stance model that remembers what it scored, so that trying many aggregations on the
    same articles runs the encoder once (the aggregation never changes which rows are read)."""

    def __init__(self, model: TargetScorer) -> None:
        self._model = model
        self.labels = model.labels
        self.per_target = model.per_target
        self._memory: dict[tuple[str, tuple[tuple[Span, ...], ...]], np.ndarray] = {}

    def score(self, queries: Sequence[Query]) -> list[np.ndarray]:
        keys = [(q.text, tuple(tuple(spans) for spans in q.targets)) for q in queries]
        todo = [i for i, key in enumerate(keys) if key not in self._memory]
        if todo:
            fresh = self._model.score([queries[i] for i in todo])
            for i, scores in zip(todo, fresh, strict=True):
                self._memory[keys[i]] = scores
        return [self._memory[key] for key in keys]


@dataclass(frozen=True, slots=True)
class ArticleScore:
    split: str
    entities: int
    macro_f1: float
    classes: list[ClassScore]
    missing: int  # gold entities the tagger no longer finds (counted wrong)


def tagged_gold(gold: Sequence[GoldArticle], corpus: Path) -> list[Article]:
    """The gold articles, normalised and tagged as the stance stage receives them."""
    return [article for _, article in tagged_articles(corpus, [a.file_id for a in gold])]


def readings(classifier: StanceClassifier, articles: Sequence[Article]) -> list[dict[str, str]]:
    """Per article: entity key -> the stance stage's label."""
    return [
        {entity["key"]: entity["stance"]["label"] for entity in enriched.get("entities") or []}
        for enriched in classifier.pipe(articles)
    ]


def score(
    gold: Sequence[GoldArticle], predicted: Sequence[dict[str, str]], split: str
) -> ArticleScore:
    truth: list[str] = []
    guess: list[str] = []
    missing = 0
    for article, labels in zip(gold, predicted, strict=True):
        if article.split != split:
            continue
        for key, label in article.labels.items():
            truth.append(label)
            guess.append(labels.get(key, ""))
            missing += key not in labels
    return ArticleScore(split, len(truth), macro_f1(truth, guess), per_class(truth, guess), missing)


def grid() -> list[Aggregation]:
    """The aggregations tried on the tune half (the plain mean among them)."""
    return [
        Aggregation(neutral_weight, power, margin)
        for neutral_weight in (1.0, 0.75, 0.5, 0.35, 0.25, 0.15, 0.1, 0.05, 0.0)
        for power in (0.0, 1.0, 2.0, 4.0)
        for margin in (0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7)
    ]


def format_scores(name: str, scores: Sequence[ArticleScore]) -> str:
    lines = []
    for s in scores:
        f1s = " / ".join(f"{c.f1:.3f}" for c in s.classes)
        support = "/".join(str(c.support) for c in s.classes)
        lines.append(
            f"{name:<28} {s.split:<9} {s.macro_f1:9.4f}  F1 {f1s} (support {support})"
            + (f", {s.missing} not found" if s.missing else "")
        )
    return "\n".join(lines)


def report(model: TargetScorer, corpus: Path, rules: dict[str, Aggregation]) -> str:
    """Article-level macro-F1 on both halves of the gold for each named aggregation."""
    gold = load_gold()
    articles = tagged_gold(gold, corpus)
    scorer = CachedScorer(model)
    lines = [
        f"article level: {len(gold)} BBC articles, "
        f"{sum(len(a.labels) for a in gold)} entities ({GOLD.name}); "
        f"F1 per class {' / '.join(LABELS)}"
    ]
    for name, rule in rules.items():
        predicted = readings(StanceClassifier(scorer, StanceSettings(aggregation=rule)), articles)
        lines.append(format_scores(name, [score(gold, predicted, split) for split in SPLITS]))
    return "\n".join(lines)


def choose(model: TargetScorer, corpus: Path) -> tuple[Aggregation, list[str]]:
    """The aggregation with the best tune-half macro-F1 (ties: the earlier in ``grid``, so
    the simpler), and one line per rule tried; the held-out half is never read here."""
    gold = load_gold()
    tune = [a for a in gold if a.split == "tune"]
    articles = tagged_gold(tune, corpus)
    scorer = CachedScorer(model)
    best, best_f1, lines = Aggregation.mean(), -1.0, []
    for rule in grid():
        predicted = readings(StanceClassifier(scorer, StanceSettings(aggregation=rule)), articles)
        f1 = score(tune, predicted, "tune").macro_f1
        lines.append(f"{rule}: tune macro-F1 {f1:.4f}")
        if f1 > best_f1:
            best, best_f1 = rule, f1
    return best, lines


def main() -> None:
    """``python -m pipeline.evaluation.article_stance``: the grid on the tune half, then the
    chosen rule and the plain mean on both halves."""
    from pipeline.shared_data import SharedData
    from pipeline.stance_model.runtime import StanceModel

    corpus = SharedData.default().bbc
    model = StanceModel()
    best, lines = choose(model, corpus)
    print("\n".join(lines))
    print(f"chosen on tune: {best}")
    print(report(model, corpus, {"mean (before #22)": Aggregation.mean(), "chosen": best}))


if __name__ == "__main__":
    main()
