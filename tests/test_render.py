from __future__ import annotations

import orjson

from pipeline.render import summarise
from pipeline.stages.trends import Row, encode_row


def test_a_trend_row_reads_as_one_line() -> None:
    row = Row("1h", "2030-01-01T05:00:00Z", "per:putin", "Putin", "PER", 3, 7, 0, 2, 1)
    assert summarise(orjson.loads(encode_row(row))) == (
        "TREND 1h 2030-01-01T05:00:00Z PER Putin: 3 article(s), 7 mention(s), +0 -2 =1"
    )
