"""Article-level stance gold: what a reader says each BBC article's stance towards an entity is.

The gold (``article_stance_gold.json``) names articles of the shared BBC corpus by file id
(pipeline.evaluation.bbc) and, for each entity the project's tagger finds in it, its key, name
and a reader's label (favor / against / neutral); no article text is kept. Its articles are cut
into a ``tune`` half, which chose the stance stage's aggregation of sentence readings, and a
``held-out`` half, which only reports it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import orjson

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
