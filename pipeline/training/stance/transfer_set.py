"""The distillation transfer set: every entity reading the stance stage could make in BBC news.

    python -m pipeline.training.stance.transfer_set [--texts FILE]

Each BBC article (shared corpus, exact duplicates and the article-level stance gold's articles
left out) is normalised and tagged by the project's own stages; every sentence that names an
entity, other than one that only names it (pipeline.stance_model.mention_only), becomes one
target row: that entity, marked by all its mentions in the sentence, as the stance stage marks
a target. The rows are kept as offsets only, no text (``transfer/bbc_targets.tsv.gz``, columns
in ``COLUMNS``): the file id, the sentence's index and ``[start, end)`` in the normalised body,
the mentions' spans relative to the sentence (``start-end`` joined by ``,``), the entity's key
and type. ``--texts`` also writes the rows as NewsMTSC-form JSONL (sentence text included, so
keep it out of the repository), which is what the teacher labels:
``python -m pipeline.training.experiments.teacher label --targets FILE ...``, with
``primary_gid`` ``<file id>#<sentence index>`` and ``gid`` the row's number in the TSV,
articles in the order of their id's sha256.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import orjson

from pipeline.evaluation.article_stance import load_gold
from pipeline.evaluation.bbc import file_ids, tagged_articles
from pipeline.shared_data import SharedData
from pipeline.stages.stance import mentions_by_sentence, sentences_of
from pipeline.stance_model.mention_only import mention_only

HERE = Path(__file__).parent / "transfer"
TARGETS = HERE / "bbc_targets.tsv.gz"
COLUMNS = ("file_id", "sentence", "start", "end", "spans", "key", "type")

Span = tuple[int, int]


@dataclass(frozen=True, slots=True)
class TargetRow:
    file_id: str
    sentence: int
    start: int
    end: int
    spans: tuple[Span, ...]  # relative to the sentence, the first mention first
    key: str
    type: str

    def tsv(self) -> str:
        spans = ",".join(f"{s}-{e}" for s, e in self.spans)
        fields = (self.file_id, self.sentence, self.start, self.end, spans, self.key, self.type)
        return "\t".join(map(str, fields))

    @classmethod
    def parse(cls, line: str) -> TargetRow:
        file_id, sentence, start, end, spans, key, type_ = line.rstrip("\n").split("\t")
        pairs = tuple((int(s), int(e)) for s, e in (span.split("-") for span in spans.split(",")))
        return cls(file_id, int(sentence), int(start), int(end), pairs, key, type_)


def rows_of(file_id: str, article: dict[str, object]) -> Iterator[TargetRow]:
    body = str(article["body"])
    entities = article.get("entities") or []
    assert isinstance(entities, list)
    sentences = sentences_of(article)
    for index, by_sentence in sorted(mentions_by_sentence(entities, sentences).items()):
        for s, spans in sorted(by_sentence.items()):
            start, end = sentences[s]
            if mention_only(body[start:end], spans) is not None:
                continue
            entity = entities[index]
            yield TargetRow(file_id, s, start, end, tuple(spans), entity["key"], entity["type"])


def _hash(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def read_rows(path: Path = TARGETS) -> list[TargetRow]:
    with gzip.open(path, "rt", encoding="utf-8") as lines:
        header = next(lines).rstrip("\n").split("\t")
        if tuple(header) != COLUMNS:
            raise ValueError(f"{path}: columns {header}, expected {COLUMNS}")
        return [TargetRow.parse(line) for line in lines]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared-dir", type=Path, default=None)
    parser.add_argument("--out", type=Path, default=TARGETS)
    parser.add_argument("--texts", type=Path, help="also write NewsMTSC-form JSONL (has text)")
    args = parser.parse_args()
    corpus = SharedData.at(args.shared_dir).bbc
    gold = {article.file_id for article in load_gold()}
    seen: set[str] = set()
    rows: list[TargetRow] = []
    texts: list[bytes] = []
    duplicates = 0
    # The gold articles' bodies first, so that a copy of one elsewhere is left out too.
    ordered = sorted(gold) + [i for i in file_ids(corpus) if i not in gold]
    for file_id, article in tagged_articles(corpus, ordered):
        digest = hashlib.sha256(str(article["body"]).encode()).hexdigest()
        if digest in seen or file_id in gold:
            duplicates += digest in seen
            seen.add(digest)
            continue
        seen.add(digest)
        if article.get("entities_skipped"):
            continue
        body = str(article["body"])
        for row in rows_of(file_id, article):
            if args.texts is not None:
                target = {
                    "Input.gid": str(len(rows)),
                    "from": row.spans[0][0],
                    "to": row.spans[0][1],
                    "further_mentions": [{"from": s, "to": e} for s, e in row.spans[1:]],
                }
                record = {
                    "primary_gid": f"{file_id}#{row.sentence}",
                    "sentence_normalized": body[row.start : row.end],
                    "targets": [target],
                }
                texts.append(orjson.dumps(record))
            rows.append(row)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    # mtime 0: the same rows give the same bytes.
    with (
        args.out.open("wb") as raw,
        gzip.GzipFile(fileobj=raw, mode="wb", mtime=0, filename="") as out,
    ):
        out.write(("\t".join(COLUMNS) + "\n").encode())
        for row in rows:
            out.write((row.tsv() + "\n").encode())
    if args.texts is not None:
        # Articles in hash order: a labelling run stopped part-way leaves a sample of the corpus.
        order = sorted(range(len(rows)), key=lambda i: (_hash(rows[i].file_id), i))
        args.texts.write_bytes(b"".join(texts[i] + b"\n" for i in order))
    articles = len({row.file_id for row in rows})
    print(
        f"{len(rows)} target rows from {articles} articles ({duplicates} duplicate texts and "
        f"{len(gold)} gold articles left out) -> {args.out}"
    )


if __name__ == "__main__":
    main()
