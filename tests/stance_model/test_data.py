import orjson

from pipeline.stance_model.data import article_key, is_dev, read_newsmtsc, split

RECORD = {
    "primary_gid": "allsides_1018_408_1_Hillary Clinton_2_17",
    "sentence_normalized": "Hillary Clinton blamed Facebook for her loss.",
    "targets": [
        {
            "Input.gid": "g1",
            "from": 0,
            "to": 15,
            "mention": "Hillary Clinton",
            "polarity": 2.0,
            "further_mentions": [{"from": 36, "to": 39, "mention": "her"}],
        },
        {"Input.gid": "g2", "from": 23, "to": 31, "mention": "Facebook", "polarity": 4.0},
    ],
}


def test_reads_targets_spans_and_labels(tmp_path):
    path = tmp_path / "x.jsonl"
    path.write_bytes(orjson.dumps(RECORD) + b"\n\n")
    (sentence,) = read_newsmtsc(path)
    assert sentence.primary_gid == RECORD["primary_gid"]
    first, second = sentence.targets
    assert first.gid == "g1" and first.spans == ((0, 15), (36, 39)) and first.label == "against"
    assert second.label == "neutral"
    assert sentence.text[slice(*first.spans[1])] == "her"


def test_without_labels_never_reads_polarity(tmp_path):
    record = {
        **RECORD,
        "targets": [{k: v for k, v in t.items() if k != "polarity"} for t in RECORD["targets"]],
    }
    path = tmp_path / "x.jsonl"
    path.write_bytes(orjson.dumps(record) + b"\n")
    (sentence,) = read_newsmtsc(path, with_labels=False)
    assert [t.label for t in sentence.targets] == [None, None]


def test_split_is_by_article_and_deterministic():
    assert article_key("allsides_1018_408_1_Hillary Clinton_2_17") == "allsides_1018_408"
    gids = [f"polusa_{n}_{n % 7}_3_X_0_1" for n in range(2000)]
    dev = [g for g in gids if is_dev(g)]
    assert 120 < len(dev) < 280  # about 10%
    # Another sentence of the same article lands on the same side.
    assert all(is_dev(g.removesuffix("_3_X_0_1") + "_9_Y_2_5") for g in dev)
    assert dev == [g for g in gids if is_dev(g)]


def test_split_partitions(tmp_path):
    path = tmp_path / "x.jsonl"
    lines = [orjson.dumps({**RECORD, "primary_gid": f"a_{n}_1_0_T_0_1"}) for n in range(300)]
    path.write_bytes(b"\n".join(lines))
    sentences = list(read_newsmtsc(path))
    train, dev = split(sentences)
    assert len(train) + len(dev) == 300 and dev and train
