import numpy as np

from pipeline.training.tag.clusters import cluster


def test_words_used_alike_share_clusters_and_unlike_words_do_not():
    rng = np.random.default_rng(1)
    towns = rng.normal([5.0, 0.0, 0.0], 0.1, size=(20, 3))
    firms = rng.normal([0.0, 5.0, 0.0], 0.1, size=(20, 3))
    words = [f"town{i}" for i in range(20)] + [f"firm{i}" for i in range(20)]
    table = cluster(words, np.vstack([towns, firms]).astype(np.float32), granularities=(2, 4))

    coarse = {w: ids.split("/")[0] for w, ids in table.items()}
    assert len({coarse[w] for w in words[:20]}) == 1
    assert len({coarse[w] for w in words[20:]}) == 1
    assert coarse["town0"] != coarse["firm0"]
    assert all(len(ids.split("/")) == 2 for ids in table.values())


def test_clustering_is_deterministic():
    vectors = np.random.default_rng(2).normal(size=(50, 4)).astype(np.float32)
    words = [str(i) for i in range(50)]
    first = cluster(words, vectors, granularities=(5,))
    assert cluster(words, vectors, granularities=(5,)) == first
