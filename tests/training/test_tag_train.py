from pipeline.tag_model.conll import read_lines
from pipeline.training.tag.train import gazetteer_spans

SPORT = """-DOCSTART- -X- -X- O

Sheffield NNP I-NP I-ORG
beat VBD I-VP O
Leeds NNP I-NP I-ORG
3-1 CD I-NP O
in IN I-PP O
the DT I-NP O
league NN I-NP O
match NN I-NP O
. . O O
""".splitlines()
NEWS = """-DOCSTART- -X- -X- O

Floods NNS I-NP O
hit VBD I-VP O
Sheffield NNP I-NP I-LOC
. . O O
""".splitlines()


def _doc(lines):
    return next(item for item in read_lines(lines) if not isinstance(item, str))


def test_names_of_sports_documents_get_their_own_types_when_asked():
    assert gazetteer_spans(_doc(SPORT), by_domain=True) == [
        (["Sheffield"], "SORG"),
        (["Leeds"], "SORG"),
    ]
    assert gazetteer_spans(_doc(SPORT)) == [(["Sheffield"], "ORG"), (["Leeds"], "ORG")]


def test_names_of_other_documents_keep_their_types():
    assert gazetteer_spans(_doc(NEWS), by_domain=True) == [(["Sheffield"], "LOC")]


def test_with_dev_trains_on_the_dev_documents_too_and_says_so(tmp_path):
    import json

    from pipeline.training.tag.train import main

    train, dev = tmp_path / "train.txt", tmp_path / "dev.txt"
    train.write_text("\n".join(SPORT) + "\n", "utf-8")
    dev.write_text("\n".join(NEWS) + "\n", "utf-8")
    out = tmp_path / "model"
    args = ["--train", str(train), "--dev", str(dev), "--output", str(out)]
    main([*args, "--single-pass", "--iterations", "5", "--with-dev"])
    meta = json.loads((out / "meta.json").read_text("utf-8"))
    assert meta["train"] == "train.txt+dev.txt"
    assert meta["dev_in_training"] is True
    # The dev document's LOC reading of "Sheffield" was learnt: the gazetteer has it.
    gazetteer = json.loads((out / "gazetteer.json").read_text("utf-8"))
    assert ["sheffield", "LOC ORG"] in gazetteer
