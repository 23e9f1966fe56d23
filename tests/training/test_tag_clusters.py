from collections import Counter

import numpy as np

from pipeline.tag_model.features import Featurizer
from pipeline.tag_model.gazetteer import Gazetteer
from pipeline.training.tag.clusters import cluster, neighbour_types


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


def test_a_word_gets_the_type_of_its_named_neighbours_never_its_own():
    rng = np.random.default_rng(3)
    towns = rng.normal([5.0, 0.0, 0.0], 0.1, size=(12, 3))
    firms = rng.normal([0.0, 5.0, 0.0], 0.1, size=(12, 3))
    words = [f"town{i}" for i in range(12)] + [f"firm{i}" for i in range(12)]
    names = {w: Counter({"LOC": 2}) for w in words[1:12]}
    names.update({w: Counter({"ORG": 1}) for w in words[13:24]})
    # Mislabelled in the data: its neighbours still say what it is.
    names["firm0"] = Counter({"PER": 5})
    vectors = np.vstack([towns, firms, [[0.0, 0.0, 5.0]]]).astype(np.float32)
    types = neighbour_types([*words, "other"], vectors, names, neighbours=3)

    assert types["town0"] == "LOC"  # unlabelled
    assert types["firm0"] == "ORG"  # its own PER label is never counted
    assert all(types[w] == "ORG" for w in words[13:])


def test_neighbours_that_disagree_give_no_type():
    vectors = np.array([[1.0, 0.0], [1.0, 0.1], [1.0, -0.1], [-1.0, 0.0]], dtype=np.float32)
    names = {"a": Counter({"PER": 1}), "b": Counter({"ORG": 1}), "far": Counter({"LOC": 1})}
    types = neighbour_types(["x", "a", "b", "far"], vectors, names, neighbours=2)
    assert "x" not in types


def test_only_capitalised_words_carry_their_neighbours_type():
    featurizer = Featurizer(Gazetteer({}), {"walmart": "1/2/3/ORG", "store": "1/2/4/ORG"})
    (sentence,) = featurizer.document([["Walmart", "store", "Walmart"]])
    assert "k=ORG" in sentence[0] and "k=ORG" in sentence[2]
    assert not any(f.startswith("k=") for f in sentence[1])
    assert "c2=3" in sentence[0] and not any(f.startswith("c3=") for f in sentence[0])
