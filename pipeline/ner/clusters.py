"""Word clusters from unlabelled news text: `python -m pipeline.ner.clusters` (training only).

Clusters let the CRF generalise from a training name to unseen words used the same way
("Siemens" never occurs in eng.train but keeps company with company names in news). They are
derived from text we may use (eng.train's tokens, the BBC corpus, the NewsMTSC sentences): each
word's left and right neighbour counts are PPMI-weighted, reduced by SVD and clustered by
k-means at three granularities. Only the word -> cluster table is kept; it is committed with the
model, the text never is. Needs numpy.
"""

from __future__ import annotations

import argparse
import json
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

from pipeline.ner import conll
from pipeline.ner.features import normalise_token
from pipeline.ner.model import CLUSTERS_FILE, default_model_dir
from pipeline.ner.paths import shared_dir
from pipeline.ner.tokenize import tokenize

GRANULARITIES = (64, 256, 1024)


def corpus(shared: Path) -> Iterator[list[str]]:
    """Lower-cased token sequences (one per line or sentence) from every allowed source."""
    for doc in conll.read_documents(shared / "data" / "ner" / "conll2003" / "eng.train"):
        for sentence in doc.sentences:
            yield [normalise_token(t).lower() for t in sentence.tokens]
    for path in sorted((shared / "data" / "corpora" / "bbc").glob("*/*.txt")):
        text = path.read_bytes().decode("utf-8", errors="replace")
        for line in text.splitlines():
            if line.strip():
                yield [normalise_token(t.text).lower() for t in tokenize(line)]
    mtsc = shared / "data" / "stance" / "newsmtsc" / "train.jsonl"
    if mtsc.exists():
        for line in mtsc.read_text("utf-8").splitlines():
            sentence = json.loads(line)["sentence_normalized"]
            yield [normalise_token(t.text).lower() for t in tokenize(sentence)]


def build(
    sequences: list[list[str]], min_count: int, contexts: int, dim: int, seed: int = 0
) -> dict[str, str]:
    import numpy as np

    counts = Counter(w for s in sequences for w in s)
    vocab = [w for w, n in counts.most_common() if n >= min_count]
    index = {w: i for i, w in enumerate(vocab)}
    context_index = {w: i for i, w in enumerate(vocab[:contexts])}
    matrix = np.zeros((len(vocab), 2 * contexts), dtype=np.float32)
    for s in sequences:
        padded = ["<s>", *s, "</s>"]
        for k in range(1, len(padded) - 1):
            row = index.get(padded[k])
            if row is None:
                continue
            left = context_index.get(padded[k - 1])
            right = context_index.get(padded[k + 1])
            if left is not None:
                matrix[row, left] += 1
            if right is not None:
                matrix[row, contexts + right] += 1
    total = matrix.sum()
    rows = matrix.sum(axis=1, keepdims=True) + 1e-9
    cols = matrix.sum(axis=0, keepdims=True) ** 0.75
    cols = cols / cols.sum() * total + 1e-9
    with np.errstate(divide="ignore"):
        pmi = np.log(matrix * total / (rows * cols))
    ppmi = np.maximum(pmi, 0, out=pmi).astype(np.float32)
    ppmi[~np.isfinite(ppmi)] = 0
    u, sigma, _ = np.linalg.svd(ppmi, full_matrices=False)
    vectors = u[:, :dim] * np.sqrt(sigma[:dim])
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True) + 1e-9
    rng = np.random.default_rng(seed)
    labels = [_kmeans(vectors, k, rng) for k in GRANULARITIES]
    return {w: "/".join(str(lab[i]) for lab in labels) for w, i in index.items()}


def _kmeans(vectors, k: int, rng, iterations: int = 25):  # type: ignore[no-untyped-def]
    import numpy as np

    centres = vectors[rng.choice(len(vectors), size=k, replace=False)]
    labels = np.zeros(len(vectors), dtype=np.int64)
    for _ in range(iterations):
        labels = np.argmax(vectors @ centres.T, axis=1)
        for c in range(k):
            members = vectors[labels == c]
            if len(members):
                centre = members.mean(axis=0)
                centres[c] = centre / (np.linalg.norm(centre) + 1e-9)
    return labels


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", type=Path, default=default_model_dir() / CLUSTERS_FILE)
    parser.add_argument("--min-count", type=int, default=3)
    parser.add_argument("--contexts", type=int, default=1000)
    parser.add_argument("--dim", type=int, default=80)
    args = parser.parse_args()
    sequences = list(corpus(shared_dir()))
    print(f"{len(sequences)} sequences, {sum(map(len, sequences))} tokens", flush=True)
    clusters = build(sequences, args.min_count, args.contexts, args.dim)
    args.output.write_text(json.dumps(clusters, separators=(",", ":"), sort_keys=True), "utf-8")
    print(f"{len(clusters)} words clustered -> {args.output}")


if __name__ == "__main__":
    main()
