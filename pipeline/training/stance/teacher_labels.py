"""The teacher's probabilities, packed for the repository (issue #22, step one).

    python -m pipeline.training.stance.teacher_labels --run DIR

``pipeline.training.experiments.teacher label`` writes JSONL (``primary_gid``, ``gid``,
``probs``) beside the teacher's checkpoints; this packs it into gzipped TSVs under
``transfer/`` that hold no text: ``bbc_teacher_probs.tsv.gz`` (``row``, the transfer set's row
index, then the probabilities against / neutral / favor) and
``newsmtsc_teacher_probs.tsv.gz`` (NewsMTSC's ``primary_gid`` and ``Input.gid`` instead of the
row). Rows are sorted and probabilities rounded to 4 decimals, so the same labels give the same
bytes; a labelling run stopped part-way packs the rows it finished.
"""

from __future__ import annotations

import argparse
import gzip
from collections.abc import Iterator, Sequence
from pathlib import Path

import orjson

HERE = Path(__file__).parent / "transfer"
BBC_PROBS = HERE / "bbc_teacher_probs.tsv.gz"
NEWSMTSC_PROBS = HERE / "newsmtsc_teacher_probs.tsv.gz"
PROBS = ("against", "neutral", "favor")

Probs = tuple[float, float, float]


def _read_jsonl(path: Path) -> Iterator[tuple[str, str, Probs]]:
    with path.open("rb") as lines:
        for line in lines:
            if line.strip():
                record = orjson.loads(line)
                against, neutral, favor = record["probs"]
                yield record["primary_gid"], record["gid"], (against, neutral, favor)


def _write_tsv(path: Path, header: tuple[str, ...], rows: Sequence[tuple[str, ...]]) -> None:
    # No name and no time in the gzip header: the same rows give the same bytes.
    with (
        path.open("wb") as raw,
        gzip.GzipFile(fileobj=raw, mode="wb", mtime=0, filename="") as out,
    ):
        out.write(("\t".join(header) + "\n").encode())
        for row in rows:
            out.write(("\t".join(row) + "\n").encode())


def _probs(p: Probs) -> tuple[str, str, str]:
    against, neutral, favor = (f"{x:.4f}" for x in p)
    return against, neutral, favor


def pack_bbc(source: Path, out: Path = BBC_PROBS) -> int:
    # The transfer set's JSONL names each target by its row in bbc_targets.tsv.gz.
    by_row = {int(gid): p for _, gid, p in _read_jsonl(source)}
    _write_tsv(out, ("row", *PROBS), [(str(r), *_probs(by_row[r])) for r in sorted(by_row)])
    return len(by_row)


def pack_newsmtsc(source: Path, out: Path = NEWSMTSC_PROBS) -> int:
    by_key = {(primary, gid): p for primary, gid, p in _read_jsonl(source)}
    rows = [(*key, *_probs(by_key[key])) for key in sorted(by_key)]
    _write_tsv(out, ("primary_gid", "gid", *PROBS), rows)
    return len(by_key)


def read_bbc(path: Path = BBC_PROBS) -> dict[int, Probs]:
    """Transfer-set row -> the teacher's probabilities (against, neutral, favor)."""
    with gzip.open(path, "rt", encoding="utf-8") as lines:
        next(lines)
        out = {}
        for line in lines:
            row, against, neutral, favor = line.rstrip("\n").split("\t")
            out[int(row)] = (float(against), float(neutral), float(favor))
        return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--run", type=Path, required=True, help="the teacher's --out folder")
    args = parser.parse_args()
    for name, pack in (
        ("bbc_probs.jsonl", pack_bbc),
        ("newsmtsc_train_probs.jsonl", pack_newsmtsc),
    ):
        source = args.run / name
        if source.exists():
            print(f"{source}: {pack(source)} targets packed")
        else:
            print(f"{source}: not there yet")


if __name__ == "__main__":
    main()
