"""CoNLL-2003 files: reading documents, tag-scheme conversion and chunk extraction.

The original files are IOB1 (a chunk starts with I- unless it directly follows a chunk of the
same type, which is the only place B- appears). Internally the tagger works in BILOU, which
gives the CRF separate states for single-token and boundary tokens; `chunks` reads any of IOB1,
IOB2 and BILOU with conlleval's rules so every converter can be checked against it.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

DOCSTART = "-DOCSTART-"


@dataclass
class Sentence:
    """One sentence: its raw lines (kept verbatim for write-back) and their first column."""

    lines: list[str] = field(default_factory=list)

    @property
    def tokens(self) -> list[str]:
        return [line.split()[0] for line in self.lines]

    def column(self, index: int) -> list[str]:
        return [line.split()[index] for line in self.lines]


@dataclass
class Document:
    sentences: list[Sentence] = field(default_factory=list)


def read_lines(lines: Iterable[str]) -> Iterator[Document | str]:
    """Yield documents, and the -DOCSTART- lines between them verbatim.

    Files without -DOCSTART- lines come out as one document, so plain sentence-per-block
    files work too.
    """
    doc = Document()
    sentence = Sentence()
    for raw in lines:
        line = raw.rstrip("\r\n")
        if line.startswith(DOCSTART):
            if sentence.lines:
                doc.sentences.append(sentence)
                sentence = Sentence()
            if doc.sentences:
                yield doc
                doc = Document()
            yield line
        elif not line.strip():
            if sentence.lines:
                doc.sentences.append(sentence)
                sentence = Sentence()
        else:
            sentence.lines.append(line)
    if sentence.lines:
        doc.sentences.append(sentence)
    if doc.sentences:
        yield doc


def read_documents(path: Path) -> list[Document]:
    with path.open(encoding="utf-8") as handle:
        return [item for item in read_lines(handle) if isinstance(item, Document)]


def chunks(tags: Sequence[str]) -> list[tuple[str, int, int]]:
    """(type, start, end) chunks, end exclusive, with conlleval's start/end rules.

    A chunk starts at B-/S-/U-, or at I-/L-/E- whose type differs from the previous tag's,
    and ends before O, B-/S-/U-, a type change, or after L-/E-/S-/U-.
    """
    found: list[tuple[str, int, int]] = []
    start = -1
    current = ""
    prev_prefix = "O"
    for i, tag in enumerate(tags):
        prefix, _, kind = tag.partition("-")
        if prefix not in {"B", "I", "L", "E", "S", "U"}:
            prefix, kind = "O", ""
        begins = prefix in {"B", "S", "U"} or (
            prefix != "O" and (kind != current or prev_prefix in {"O", "L", "E", "S", "U"})
        )
        if current and (prefix == "O" or begins):
            found.append((current, start, i))
            current = ""
        if begins:
            start, current = i, kind
        prev_prefix = prefix if prefix != "O" else "O"
    if current:
        found.append((current, start, len(tags)))
    return found


def document_spans(doc: Document) -> list[tuple[list[str], str]]:
    """(tokens, type) of every annotated name in a document, from its last column."""
    spans = []
    for sentence in doc.sentences:
        tokens = sentence.tokens
        for kind, start, end in chunks(sentence.column(-1)):
            spans.append((tokens[start:end], kind))
    return spans


def to_bilou(tags: Sequence[str]) -> list[str]:
    out = ["O"] * len(tags)
    for kind, start, end in chunks(tags):
        if end - start == 1:
            out[start] = f"U-{kind}"
        else:
            out[start] = f"B-{kind}"
            for i in range(start + 1, end - 1):
                out[i] = f"I-{kind}"
            out[end - 1] = f"L-{kind}"
    return out


def to_iob2(tags: Sequence[str]) -> list[str]:
    out = ["O"] * len(tags)
    for kind, start, end in chunks(tags):
        out[start] = f"B-{kind}"
        for i in range(start + 1, end):
            out[i] = f"I-{kind}"
    return out


def to_iob1(tags: Sequence[str]) -> list[str]:
    """IOB1 as in the original CoNLL-2003 files: B- only between two adjacent same-type chunks."""
    out = ["O"] * len(tags)
    previous_end, previous_kind = -1, ""
    for kind, start, end in chunks(tags):
        for i in range(start, end):
            out[i] = f"I-{kind}"
        if start == previous_end and kind == previous_kind:
            out[start] = f"B-{kind}"
        previous_end, previous_kind = end, kind
    return out
