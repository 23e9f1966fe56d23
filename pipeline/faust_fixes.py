"""A fix for a faust-streaming 0.15.3 bug that breaks exactly_once after a crash.

With transactions, a partition's offsets have holes (commit markers, aborted records). Faust
records a hole between the last offset read and the next message as ``[last + 1, offset]``,
one too far: it includes the next message's own offset. When Faust later merges the holes into
its list of acked offsets, that offset is listed twice, the run of consecutive offsets breaks
there, and the offset commit stops short of messages that were processed and whose outputs
commit in the same transaction. A worker that dies before the next commit has its outputs
committed but its input offsets not: on restart those messages are processed again and their
outputs appear twice (reproduced by tests/integration/test_recovery.py).
"""

from __future__ import annotations

from typing import Any

from faust.transport.consumer import Consumer

_applied = False


def apply() -> None:
    """Make Faust record holes as ``[last + 1, offset - 1]``. Idempotent."""
    global _applied
    if _applied:
        return
    original = Consumer._add_gap

    async def _add_gap(self: Any, tp: Any, offset_from: int, offset_to: int) -> None:
        await original(self, tp, offset_from, offset_to - 1)

    Consumer._add_gap = _add_gap  # type: ignore[method-assign]
    _applied = True
