"""Train the CoNLL-2003 CRF: `python -m pipeline.ner.train`.

Reads ../shared/data/ner/conll2003/eng.train (override with --train), picks the L1/L2 weights
on eng.testa, and writes the model files to pipeline/models/ner/. Deterministic: the same data
gives the same model. Needs only python-crfsuite; one thread.
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Sequence
from pathlib import Path

from pipeline.ner import conll
from pipeline.ner.conlleval import Scores, score
from pipeline.ner.features import Featurizer
from pipeline.ner.gazetteer import Gazetteer
from pipeline.ner.model import (
    CLUSTERS_FILE,
    GAZETTEER_FILE,
    META_FILE,
    MODEL_FILE,
    NerModel,
    default_model_dir,
    load_clusters,
)
from pipeline.ner.paths import conll_dir

FOLDS = 10


def _document_spans(doc: conll.Document) -> list[tuple[list[str], str]]:
    spans = []
    for sentence in doc.sentences:
        tokens = sentence.tokens
        for kind, start, end in conll.chunks(sentence.column(-1)):
            spans.append((tokens[start:end], kind))
    return spans


def featurise_training(
    docs: Sequence[conll.Document], featurizer: Featurizer
) -> list[tuple[list[list[str]], list[str]]]:
    """Features for every training sentence, each document's gazetteer built from other folds."""
    spans = [_document_spans(doc) for doc in docs]
    out = []
    for fold in range(FOLDS):
        others = [s for i, doc_spans in enumerate(spans) if i % FOLDS != fold for s in doc_spans]
        gazetteer = Gazetteer.from_counts(Gazetteer.count(others))
        for i in range(fold, len(docs), FOLDS):
            sentences = docs[i].sentences
            features = featurizer.document([s.tokens for s in sentences], gazetteer)
            for sentence, xseq in zip(sentences, features, strict=True):
                out.append((xseq, conll.to_bilou(sentence.column(-1))))
    return out


def evaluate(model: NerModel, docs: Sequence[conll.Document]) -> tuple[Scores, float]:
    """Scores and tokens per second of tagging (features included) on gold documents."""
    pairs = []
    tokens = 0
    elapsed = 0.0
    for doc in docs:
        sentences = [s.tokens for s in doc.sentences]
        started = time.perf_counter()
        predicted = model.tag_document(sentences)
        elapsed += time.perf_counter() - started
        tokens += sum(len(s) for s in sentences)
        pairs.extend(
            (s.column(-1), p) for s, p in zip(doc.sentences, predicted, strict=True)
        )
    return score(pairs), tokens / elapsed if elapsed else 0.0


def train_one(
    data: list[tuple[list[list[str]], list[str]]], path: Path, c1: float, c2: float, iterations: int
) -> None:
    import pycrfsuite

    trainer = pycrfsuite.Trainer(verbose=False)
    for xseq, yseq in data:
        trainer.append(xseq, yseq)
    trainer.set_params(
        {"c1": c1, "c2": c2, "max_iterations": iterations, "feature.possible_transitions": True}
    )
    trainer.train(str(path))


def main(argv: Sequence[str] | None = None) -> None:
    data_dir = conll_dir()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--train", type=Path, default=data_dir / "eng.train")
    parser.add_argument("--dev", type=Path, default=data_dir / "eng.testa")
    parser.add_argument("--output", type=Path, default=default_model_dir())
    parser.add_argument("--clusters", type=Path, default=None,
                        help="word -> bit-string clusters JSON (default: the shipped one, if any)")
    parser.add_argument("--c1", type=float, nargs="+", default=[0.05, 0.1])
    parser.add_argument("--c2", type=float, nargs="+", default=[0.01])
    parser.add_argument("--iterations", type=int, default=150)
    args = parser.parse_args(argv)

    out: Path = args.output
    out.mkdir(parents=True, exist_ok=True)
    clusters_path = args.clusters or out / CLUSTERS_FILE
    clusters = load_clusters(clusters_path)
    train_docs = conll.read_documents(args.train)
    dev_docs = conll.read_documents(args.dev)
    full_gazetteer = Gazetteer.from_counts(
        Gazetteer.count(s for doc in train_docs for s in _document_spans(doc))
    )
    featurizer = Featurizer(full_gazetteer, clusters)
    started = time.perf_counter()
    data = featurise_training(train_docs, featurizer)
    print(f"featurised {len(data)} sentences in {time.perf_counter() - started:.0f}s", flush=True)

    full_gazetteer.save(out / GAZETTEER_FILE)
    if clusters and clusters_path != out / CLUSTERS_FILE:
        (out / CLUSTERS_FILE).write_text(json.dumps(clusters, separators=(",", ":")), "utf-8")
    best: tuple[float, Path, dict[str, float]] | None = None
    for c1 in args.c1:
        for c2 in args.c2:
            candidate = out / f"candidate-{c1}-{c2}.crfsuite"
            started = time.perf_counter()
            train_one(data, candidate, c1, c2, args.iterations)
            took = time.perf_counter() - started
            model = NerModel.load_files(candidate, out / GAZETTEER_FILE, clusters)
            scores, speed = evaluate(model, dev_docs)
            f1 = scores.prf()[2]
            print(f"c1={c1} c2={c2}: dev F1 {100 * f1:.2f}, {speed:,.0f} tokens/s, "
                  f"trained in {took:.0f}s", flush=True)
            if best is None or f1 > best[0]:
                if best is not None:
                    best[1].unlink()
                best = (f1, candidate, {"c1": c1, "c2": c2})
            else:
                candidate.unlink()
    assert best is not None
    best[1].replace(out / MODEL_FILE)
    meta = {"train": args.train.name, "dev": args.dev.name, "dev_f1": round(best[0], 4),
            "iterations": args.iterations, "labels": "BILOU", **best[2]}
    (out / META_FILE).write_text(json.dumps(meta, indent=2) + "\n", "utf-8")
    print(f"saved {out / MODEL_FILE} (dev F1 {100 * best[0]:.2f}, {best[2]})")


if __name__ == "__main__":
    main()
