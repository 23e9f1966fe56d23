import numpy as np
import orjson

from pipeline.evaluation.article_stance import (
    GOLD,
    SPLITS,
    CachedScorer,
    GoldArticle,
    grid,
    load_gold,
    score,
)
from pipeline.stance_model import LABELS
from pipeline.stance_model.aggregation import Aggregation
from pipeline.stance_model.runtime import Query


def test_gold_has_two_halves_of_labelled_entities_and_no_article_text():
    gold = load_gold()
    assert len(gold) >= 30
    assert len({a.file_id for a in gold}) == len(gold)
    for split in SPLITS:
        assert len([a for a in gold if a.split == split]) >= 15
    labels = [label for article in gold for label in article.labels.values()]
    assert set(labels) == set(LABELS)
    data = orjson.loads(GOLD.read_bytes())
    for article in data["articles"]:
        assert set(article) == {"file_id", "split", "entities"}
        for entity in article["entities"]:
            assert set(entity) == {"key", "name", "label"}
            assert len(entity["name"]) < 60


def test_score_counts_entities_the_tagger_no_longer_finds_as_wrong():
    gold = [
        GoldArticle("politics/001", "tune", {"per:a": "against", "per:b": "neutral"}),
        GoldArticle("politics/002", "held-out", {"per:c": "favor"}),
    ]
    predicted = [{"per:a": "against"}, {"per:c": "favor"}]
    tune = score(gold, predicted, "tune")
    assert (tune.entities, tune.missing) == (2, 1)
    assert [c.f1 for c in tune.classes] == [1.0, 0.0, 0.0]
    assert score(gold, predicted, "held-out").macro_f1 == 1 / 3


class CountingModel:
    labels = LABELS
    per_target = False

    def __init__(self):
        self.rows = 0

    def score(self, queries):
        self.rows += len(queries)
        return [np.full((len(q.targets), 3), 1 / 3, dtype=np.float32) for q in queries]


def test_cached_scorer_scores_each_query_once():
    model = CountingModel()
    cached = CachedScorer(model)
    queries = [Query("Smith spoke.", [[(0, 5)]]), Query("Jones spoke.", [[(0, 5)]])]
    first = cached.score(queries)
    again = cached.score(list(reversed(queries)) + [Query("New one.", [[(0, 3)]])])
    assert model.rows == 3
    assert np.array_equal(first[0], again[1])


def test_grid_holds_the_plain_mean():
    assert Aggregation.mean() in grid()
