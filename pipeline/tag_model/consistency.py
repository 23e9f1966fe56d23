"""Second-pass features: what the first pass said about the same words elsewhere in the document.

A name is usually the same kind of entity every time a document uses it, and its first mention
is usually the fullest ("Keir Starmer", later "Starmer"). The first CRF tags each sentence with
only local evidence; these features hand the second CRF the document-wide votes (Krishnan &
Manning, 2006), so an ambiguous mention can follow its clearer ones.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence

from pipeline.tag_model.conll import chunks
from pipeline.tag_model.gazetteer import Gazetteer


def consistency_features(
    lowered: Sequence[Sequence[str]],
    capitalised: Sequence[Sequence[bool]],
    first_pass: Sequence[Sequence[str]],
) -> list[list[list[str]]]:
    """Extra features per token of each sentence, from the first pass's tags of the document."""
    token_votes: dict[str, Counter[str]] = defaultdict(Counter)
    entity_votes: dict[tuple[str, ...], Counter[str]] = defaultdict(Counter)
    inside_votes: dict[str, Counter[str]] = defaultdict(Counter)
    for words, caps, tags in zip(lowered, capitalised, first_pass, strict=True):
        for word, cap, tag in zip(words, caps, tags, strict=True):
            if cap:
                token_votes[word][tag[2:] or "O"] += 1
        for kind, start, end in chunks(tags):
            entity_votes[tuple(words[start:end])][kind] += 1
            if end - start > 1:
                for word in words[start:end]:
                    inside_votes[word][kind] += 1
    documents_names = Gazetteer(
        {key: (votes.most_common(1)[0][0],) for key, votes in entity_votes.items()}
    )
    out = []
    for words, caps, tags in zip(lowered, capitalised, first_pass, strict=True):
        rows = documents_names.match(words, caps, prefix="e")
        for i, (word, cap, tag) in enumerate(zip(words, caps, tags, strict=True)):
            row = rows[i]
            row.append(f"p={tag}")
            if cap:
                votes = token_votes[word]
                row.append(f"tm={votes.most_common(1)[0][0]}")
                if sum(votes.values()) > 1:
                    row.append("trep")
                inside = inside_votes.get(word)
                if inside:
                    row.append(f"in={inside.most_common(1)[0][0]}")
        out.append(rows)
    return out
