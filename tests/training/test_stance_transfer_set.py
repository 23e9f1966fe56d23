from pipeline.training.stance.transfer_set import COLUMNS, TARGETS, TargetRow, read_rows, rows_of


def _entity(body, name, key):
    start = 0
    mentions = []
    while (start := body.find(name, start)) >= 0:
        mentions.append({"start": start, "end": start + len(name)})
        start += len(name)
    return {"name": name, "key": key, "type": "PER", "mentions": mentions}


def test_rows_mark_each_entity_in_each_sentence_that_reads_it():
    body = "Smith praised Jones. Smith, Jones and Brown attended the summit. Jones said Smith lied."
    article = {
        "body": body,
        "sentences": [[0, 20], [21, 64], [65, 88]],
        "entities": [
            _entity(body, "Smith", "per:smith"),
            _entity(body, "Jones", "per:jones"),
            _entity(body, "Brown", "per:brown"),
        ],
    }
    rows = list(rows_of("politics/001", article))
    # The attendee list only names them: no row; Brown is named nowhere else.
    assert [(r.key, r.sentence) for r in rows] == [
        ("per:smith", 0),
        ("per:smith", 2),
        ("per:jones", 0),
        ("per:jones", 2),
    ]
    third = rows[1]
    assert body[third.start : third.end] == "Jones said Smith lied."
    sentence = body[third.start : third.end]
    assert [sentence[s:e] for s, e in third.spans] == ["Smith"]


def test_a_row_survives_its_tsv_line():
    row = TargetRow("business/042", 3, 100, 180, ((0, 5), (40, 45)), "org:bank of england", "ORG")
    assert TargetRow.parse(row.tsv() + "\n") == row


def test_committed_transfer_set_is_large_enough_and_keeps_no_text():
    rows = read_rows(TARGETS)
    assert len(rows) >= 40_000
    assert len(COLUMNS) == 7
    assert all(r.end > r.start and r.spans for r in rows[:1000])
