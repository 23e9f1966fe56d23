from pipeline.tag_model.conll import chunks, read_lines, to_bilou, to_iob1, to_iob2

IOB1 = ["I-ORG", "O", "I-PER", "I-PER", "B-PER", "I-LOC", "I-MISC"]
SPANS = [("ORG", 0, 1), ("PER", 2, 4), ("PER", 4, 5), ("LOC", 5, 6), ("MISC", 6, 7)]


def test_chunks_follow_conlleval_for_iob1_and_iob2():
    assert chunks(IOB1) == SPANS
    assert chunks(["B-ORG", "O", "B-PER", "I-PER", "B-PER", "B-LOC", "B-MISC"]) == SPANS


def test_i_after_a_different_type_or_o_starts_a_chunk():
    assert chunks(["O", "I-PER", "I-LOC", "I-LOC"]) == [("PER", 1, 2), ("LOC", 2, 4)]


def test_bilou_round_trip():
    bilou = to_bilou(IOB1)
    assert bilou == ["U-ORG", "O", "B-PER", "L-PER", "U-PER", "U-LOC", "U-MISC"]
    assert chunks(bilou) == SPANS
    assert to_iob1(bilou) == IOB1
    assert to_iob2(IOB1) == ["B-ORG", "O", "B-PER", "I-PER", "B-PER", "B-LOC", "B-MISC"]


def test_read_lines_splits_documents_and_sentences():
    lines = [
        "-DOCSTART- -X- O O",
        "",
        "EU NNP I-NP I-ORG",
        "rejects VBZ I-VP O",
        "",
        "Peter NNP I-NP I-PER",
        "",
        "-DOCSTART- -X- O O",
        "",
        "Bonn NNP I-NP I-LOC",
    ]
    items = list(read_lines(lines))
    assert items[0] == "-DOCSTART- -X- O O"
    first = items[1]
    assert [s.tokens for s in first.sentences] == [["EU", "rejects"], ["Peter"]]
    assert first.sentences[0].column(-1) == ["I-ORG", "O"]
    assert [s.tokens for s in items[3].sentences] == [["Bonn"]]
