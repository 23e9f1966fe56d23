"""The shared BBC corpus as the pipeline reads it: normalised and tagged articles by file id.

A file id is ``<category>/<number>`` (``politics/042`` for ``bbc/politics/042.txt``). Files are
read as ``replay`` reads .txt files and go through the normalise and tag stages, so every
character offset kept against a file id (the stance transfer set, the article-level stance
gold) points into the body the stance stage sees, and is rebuilt from the corpus alone.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from pipeline.sources import SourceError, read_records

Article = dict[str, Any]


def file_ids(corpus: Path) -> list[str]:
    """Every file id of the corpus, sorted."""
    return sorted(f"{path.parent.name}/{path.stem}" for path in corpus.glob("*/*.txt"))


def tagged_articles(
    corpus: Path, ids: Iterable[str] | None = None, tagger: Any = None
) -> Iterator[tuple[str, Article]]:
    """(file id, tagged article) for ``ids`` (default: all, sorted), in that order."""
    from pipeline.stages.normalise import normalise
    from pipeline.stages.tag import Tagger

    tagger = tagger or Tagger.load()
    for file_id in file_ids(corpus) if ids is None else ids:
        [record] = read_records([corpus / f"{file_id}.txt"])
        if isinstance(record, SourceError):
            raise ValueError(f"cannot read {file_id}: {record}")
        raw = {**record, "id": f"bbc/{file_id}", "source": "bbc"}
        yield file_id, tagger(normalise(raw))
