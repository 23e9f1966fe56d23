"""Train the CoNLL-2003 tagger: `python -m pipeline.training.tag.train`.

Reads ../shared/data/ner/conll2003/eng.train (override with --train), scores on eng.testa (the
c1/c2 defaults were chosen there; pass several to pick among them) and writes the model files
to pipeline/models/tag/. Two linear-chain CRFs: the first tags with local and gazetteer
features; the second adds the first's document-wide votes (pipeline/tag_model/consistency.py),
trained on out-of-fold first-pass tags so it learns how far to trust them on unseen text.
Deterministic; needs only python-crfsuite; one thread, about ten minutes.

``--with-dev`` trains on eng.testa as well, once every setting has been chosen on it (the usual
last step before a held-out test: 15% more annotated text); the dev F1 it prints is then a
training score, so the figure to report is the one of the same run without the flag.
"""

from __future__ import annotations

import argparse
import json
import shutil
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from pipeline.shared_data import SharedData
from pipeline.tag_model import conll
from pipeline.tag_model.conlleval import Scores, score
from pipeline.tag_model.domain import is_sport
from pipeline.tag_model.features import DOMAINS, Featurizer
from pipeline.tag_model.gazetteer import Gazetteer
from pipeline.tag_model.model import (
    CLUSTERS_FILE,
    DOMAIN_KEY,
    GAZETTEER_FILE,
    LIST_FILES,
    META_FILE,
    MODEL_FILE,
    SECOND_PASS_FILE,
    NerModel,
    default_model_dir,
    load_clusters,
    with_consistency,
)

GAZETTEER_FOLDS = 10
SECOND_PASS_FOLDS = 5
# The gazetteer type of a name counted in a sports document, with --gazetteer-by-domain.
SPORT_KIND_PREFIX = "S"

# One document: (first-pass features, gold BILOU tags, tokens) per sentence.
Doc = list[tuple[list[list[str]], list[str], list[str]]]


def gazetteer_spans(doc: conll.Document, by_domain: bool = False) -> list[tuple[list[str], str]]:
    """A document's names for the gazetteer; with `by_domain`, those of a sports document
    (domain.is_sport) are counted under their own types ("SORG"), so the gazetteer tells
    "ORG in the sports pages" from "ORG elsewhere" ("Yorkshire", the cricket county)."""
    spans = conll.document_spans(doc)
    if by_domain and is_sport([s.tokens for s in doc.sentences]):
        return [(tokens, SPORT_KIND_PREFIX + kind) for tokens, kind in spans]
    return spans


def featurise_training(
    docs: Sequence[conll.Document], featurizer: Featurizer, gazetteer_by_domain: bool = False
) -> list[Doc]:
    """Features for every training document, each matched against a gazetteer built from
    the other folds only."""
    spans = [gazetteer_spans(doc, gazetteer_by_domain) for doc in docs]
    out: list[Doc] = [[] for _ in docs]
    for fold in range(GAZETTEER_FOLDS):
        others = [
            s for i, doc_spans in enumerate(spans) if i % GAZETTEER_FOLDS != fold for s in doc_spans
        ]
        gazetteer = Gazetteer.from_counts(Gazetteer.count(others))
        for i in range(fold, len(docs), GAZETTEER_FOLDS):
            sentences = docs[i].sentences
            features = featurizer.document([s.tokens for s in sentences], gazetteer)
            out[i] = [
                (xseq, conll.to_bilou(s.column(-1)), s.tokens)
                for s, xseq in zip(sentences, features, strict=True)
            ]
    return out


def train_crf(
    data: Sequence[tuple[list[list[str]], list[str]]],
    path: Path,
    c1: float,
    c2: float,
    iterations: int,
) -> None:
    import pycrfsuite

    trainer = pycrfsuite.Trainer(verbose=False)
    for xseq, yseq in data:
        trainer.append(xseq, yseq)
    trainer.set_params(
        {"c1": c1, "c2": c2, "max_iterations": iterations, "feature.possible_transitions": True}
    )
    trainer.train(str(path))


def second_pass_data(
    docs: list[Doc], work: Path, c1: float, c2: float, iterations: int
) -> list[tuple[list[list[str]], list[str]]]:
    """Second-pass training data: each document's votes come from a first pass trained
    without it, as they will on unseen text."""
    import pycrfsuite

    out: list[tuple[list[list[str]], list[str]]] = []
    for fold in range(SECOND_PASS_FOLDS):
        path = work / f"fold{fold}.crfsuite"
        train_crf(
            [(x, y) for i, d in enumerate(docs) if i % SECOND_PASS_FOLDS != fold for x, y, _ in d],
            path,
            c1,
            c2,
            iterations,
        )
        tagger = pycrfsuite.Tagger()
        tagger.open(str(path))
        for doc in docs[fold::SECOND_PASS_FOLDS]:
            first = [tagger.tag(x) for x, _, _ in doc]
            features = with_consistency([t for _, _, t in doc], [x for x, _, _ in doc], first)
            out.extend(zip(features, [y for _, y, _ in doc], strict=True))
        tagger.close()
        print(f"  second-pass fold {fold} done", flush=True)
    return out


def evaluate(model: NerModel, docs: Sequence[conll.Document]) -> tuple[Scores, float]:
    """Scores and tokens per second of tagging (features included) on gold documents."""
    pairs: list[tuple[list[str], list[str]]] = []
    tokens = 0
    elapsed = 0.0
    for doc in docs:
        sentences = [s.tokens for s in doc.sentences]
        started = time.perf_counter()
        predicted = model.tag_document(sentences)
        elapsed += time.perf_counter() - started
        tokens += sum(len(s) for s in sentences)
        pairs.extend((s.column(-1), p) for s, p in zip(doc.sentences, predicted, strict=True))
    return score(pairs), tokens / elapsed if elapsed else 0.0


def main(argv: Sequence[str] | None = None) -> None:
    data_dir = SharedData.default().conll
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--train", type=Path, default=data_dir / "eng.train")
    parser.add_argument("--dev", type=Path, default=data_dir / "eng.testa")
    parser.add_argument("--output", type=Path, default=default_model_dir())
    parser.add_argument(
        "--clusters",
        type=Path,
        default=None,
        help="word clusters JSON (default: the one in --output, if any)",
    )
    parser.add_argument(
        "--places",
        type=Path,
        default=None,
        help="place-name list (`python -m pipeline.training.tag.places`; default: the one in"
        " --output, if any)",
    )
    parser.add_argument(
        "--names",
        type=Path,
        default=None,
        help="person-name list (`python -m pipeline.training.tag.names`; default: the one in"
        " --output, if any)",
    )
    parser.add_argument(
        "--companies",
        type=Path,
        default=None,
        help="company-name list (`python -m pipeline.training.tag.companies`; default: the one"
        " in --output, if any)",
    )
    parser.add_argument("--c1", type=float, default=0.1)
    parser.add_argument("--c2", type=float, default=0.01)
    parser.add_argument("--iterations", type=int, default=100)
    parser.add_argument("--single-pass", action="store_true", help="skip the second CRF")
    parser.add_argument(
        "--with-dev",
        action="store_true",
        help="train on --dev too, once the settings are chosen on it (the dev F1 printed is then"
        " a training score; report the one of a run without this flag)",
    )
    parser.add_argument(
        "--domain",
        choices=DOMAINS,
        default=None,
        help="conjoin some features with the document's domain (pipeline/tag_model/domain.py)",
    )
    parser.add_argument(
        "--gazetteer-by-domain",
        action="store_true",
        help="count the names of sports documents under their own gazetteer types",
    )
    args = parser.parse_args(argv)

    out: Path = args.output
    out.mkdir(parents=True, exist_ok=True)
    clusters = load_clusters(args.clusters or out / CLUSTERS_FILE)
    given = {"x": args.places, "n": args.names, "c": args.companies}
    lists = {
        prefix: Gazetteer.load(path)
        for prefix, name in LIST_FILES.items()
        if (path := given[prefix] or out / name).is_file()
    }
    train_docs = conll.read_documents(args.train)
    dev_docs = conll.read_documents(args.dev)
    if args.with_dev:
        train_docs = [*train_docs, *dev_docs]
    by_domain: bool = args.gazetteer_by_domain
    gazetteer = Gazetteer.from_counts(
        Gazetteer.count(s for doc in train_docs for s in gazetteer_spans(doc, by_domain))
    )
    started = time.perf_counter()
    docs = featurise_training(
        train_docs, Featurizer(gazetteer, clusters, lists, domain=args.domain), by_domain
    )
    print(f"featurised {len(docs)} documents in {time.perf_counter() - started:.0f}s", flush=True)

    params = (args.c1, args.c2, args.iterations)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        started = time.perf_counter()
        train_crf([(x, y) for d in docs for x, y, _ in d], work / MODEL_FILE, *params)
        if not args.single_pass:
            data2 = second_pass_data(docs, work, *params)
            train_crf(data2, work / SECOND_PASS_FILE, *params)
        took = time.perf_counter() - started
        gazetteer.save(work / GAZETTEER_FILE)
        if clusters:
            (work / CLUSTERS_FILE).write_text(
                json.dumps(clusters, separators=(",", ":"), sort_keys=True), "utf-8"
            )
        for prefix, names in lists.items():
            names.save(work / LIST_FILES[prefix])
        domain = {DOMAIN_KEY: args.domain} if args.domain else {}
        # NerModel.load reads the domain from meta.json; the full meta follows the scores.
        (work / META_FILE).write_text(json.dumps(domain) + "\n", "utf-8")
        model = NerModel.load(work)
        scores, speed = evaluate(model, dev_docs)
        f1 = scores.prf()[2]
        first_only = NerModel.load_files(
            work / MODEL_FILE,
            work / GAZETTEER_FILE,
            clusters,
            domain,
            lists={prefix: work / LIST_FILES[prefix] for prefix in lists},
        )
        f1_first = evaluate(first_only, dev_docs)[0].prf()[2]
        print(
            ("training-set F1 on --dev " if args.with_dev else "dev F1 ")
            + f"{100 * f1:.2f} (first pass alone {100 * f1_first:.2f}), "
            f"{speed:,.0f} tokens/s, trained in {took:.0f}s",
            flush=True,
        )
        meta = {
            "train": args.train.name + (f"+{args.dev.name}" if args.with_dev else ""),
            "dev": args.dev.name,
            # With --with-dev these are training scores, not held-out ones.
            "dev_in_training": args.with_dev,
            "dev_f1": round(f1, 4),
            "dev_f1_first_pass": round(f1_first, 4),
            "c1": args.c1,
            "c2": args.c2,
            "iterations": args.iterations,
            "labels": "BILOU",
            **domain,
            **({"gazetteer_by_domain": True} if by_domain else {}),
        }
        (work / META_FILE).write_text(json.dumps(meta, indent=2) + "\n", "utf-8")
        (out / SECOND_PASS_FILE).unlink(missing_ok=True)
        for prefix, name in LIST_FILES.items():
            if prefix not in lists:
                (out / name).unlink(missing_ok=True)
        for path in work.iterdir():
            if not path.name.startswith("fold"):
                shutil.copy(path, out / path.name)
    print(f"saved the model to {out}")


if __name__ == "__main__":
    main()
