import gzip

import orjson

from pipeline.training.stance.teacher_labels import pack_bbc, pack_newsmtsc, read_bbc


def _lines(path):
    with gzip.open(path, "rt") as text:
        return text.read().splitlines()


def _jsonl(path, records):
    path.write_bytes(b"".join(orjson.dumps(r) + b"\n" for r in records))
    return path


def test_bbc_labels_pack_by_row_sorted_and_read_back(tmp_path):
    source = _jsonl(
        tmp_path / "bbc.jsonl",
        [
            {"primary_gid": "tech/001#3", "gid": "12", "probs": [0.1, 0.7, 0.2]},
            {"primary_gid": "sport/002#0", "gid": "3", "probs": [0.123456, 0.8, 0.076544]},
        ],
    )
    out = tmp_path / "bbc.tsv.gz"
    assert pack_bbc(source, out) == 2
    lines = _lines(out)
    assert lines == [
        "row\tagainst\tneutral\tfavor",
        "3\t0.1235\t0.8000\t0.0765",
        "12\t0.1000\t0.7000\t0.2000",
    ]
    assert read_bbc(out)[12] == (0.1, 0.7, 0.2)
    again = tmp_path / "again.tsv.gz"
    pack_bbc(source, again)
    assert again.read_bytes() == out.read_bytes()


def test_newsmtsc_labels_keep_their_ids(tmp_path):
    source = _jsonl(
        tmp_path / "n.jsonl", [{"primary_gid": "p_1", "gid": "g_1", "probs": [0.5, 0.25, 0.25]}]
    )
    out = tmp_path / "n.tsv.gz"
    assert pack_newsmtsc(source, out) == 1
    assert _lines(out)[1] == "p_1\tg_1\t0.5000\t0.2500\t0.2500"
