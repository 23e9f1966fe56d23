"""Alias merging on hand-tagged text, so these tests do not depend on the model's mistakes."""

from pipeline.tag_model.aliases import merge
from pipeline.tag_model.spans import mentions_from_tags
from pipeline.text.sentences import sentences
from tests.tag_model.hand_tagged import by_name, check_offsets, tag_and_merge


def test_titles_are_stripped_and_short_forms_join_the_full_name():
    text = (
        "Sir Keir Starmer met President Donald Trump in Washington.\n\n"
        "Sir Keir said Mr Trump agreed. Starmer left; Trump stayed."
    )
    tags = {
        "Sir": "I-PER",
        "Keir": "I-PER",
        "Starmer": "I-PER",
        "President": "O",
        "Donald": "I-PER",
        "Trump": "I-PER",
        "Washington": "I-LOC",
    }
    entities = tag_and_merge(text, tags)
    check_offsets(text, entities)
    names = by_name(entities)
    assert set(names) == {"Keir Starmer", "Donald Trump", "Washington"}
    assert names["Keir Starmer"]["count"] == 3
    assert [m["text"] for m in names["Keir Starmer"]["mentions"]] == [
        "Keir Starmer",
        "Keir",
        "Starmer",
    ]
    assert names["Donald Trump"]["count"] == 3
    assert names["Donald Trump"]["type"] == "PER"


def test_a_surname_tagged_as_another_type_joins_the_person():
    text = "Vladimir Putin spoke. Putin left Moscow."
    split = sentences(text)
    tags = [["B-PER", "I-PER", "O", "O"], ["B-LOC", "O", "B-LOC", "O"]]
    names = by_name(merge(mentions_from_tags(split, tags, text), text))
    assert names["Vladimir Putin"]["count"] == 2
    assert names["Moscow"]["type"] == "LOC"


def test_acronym_and_repeated_names_merge_but_different_names_do_not():
    text = "The European Union and the EU summit in Paris. Paris and Berlin agreed."
    tags = {
        "European": "I-ORG",
        "Union": "I-ORG",
        "EU": "I-ORG",
        "Paris": "I-LOC",
        "Berlin": "I-LOC",
    }
    names = by_name(tag_and_merge(text, tags))
    assert names["European Union"]["count"] == 2
    assert names["Paris"]["count"] == 2
    assert names["Berlin"]["count"] == 1
    assert names["Paris"]["salience"] > names["Berlin"]["salience"]


def test_no_mentions_gives_no_entities():
    assert merge([], "") == []


def test_two_people_sharing_a_surname_are_never_merged():
    text = "Elizabeth Burton, 32, was arrested. Victor Burton, 57, was also held. Burton said."
    tags = {"Elizabeth": "I-PER", "Victor": "I-PER", "Burton": "I-PER"}
    entities = tag_and_merge(text, tags)
    names = by_name(entities)
    assert names["Elizabeth Burton"]["count"] == 1
    assert names["Victor Burton"]["count"] == 1
    # The bare surname could be either of them: it stays apart rather than join one.
    assert names["Burton"]["count"] == 1
    check_offsets(text, entities)


def test_country_short_and_long_names_are_one_place():
    text = "The United States and the U.S. agreed. US officials said America would pay."
    tags = {
        "United": "I-LOC",
        "States": "I-LOC",
        "U.S.": "I-LOC",
        "US": "I-ORG",
        "America": "I-LOC",
    }
    names = by_name(tag_and_merge(text, tags))
    assert list(names) == ["United States"]
    assert names["United States"]["count"] == 4
    assert names["United States"]["type"] == "LOC"


def test_a_company_is_the_same_with_or_without_its_legal_form_or_the():
    text = "Apple Inc. said profits rose. Apple shares rose. The Home Depot and Home Depot Corp."
    tags = {
        "Apple": "I-ORG",
        "Inc.": "I-ORG",
        "The": "I-ORG",
        "Home": "I-ORG",
        "Depot": "I-ORG",
        "Corp.": "I-ORG",
    }
    names = by_name(tag_and_merge(text, tags))
    assert names["Apple Inc."]["count"] == 2
    assert sum(e["count"] for e in names.values() if "Depot" in e["name"]) == 2
    assert len(names) == 2


def test_an_acronym_defined_in_the_text_joins_its_name_whatever_its_type():
    text = "The Environment Agency (EA) warned. The EA said rivers rose. The AMA and ECB met."
    tags = {
        "Environment": "I-ORG",
        "Agency": "I-ORG",
        "EA": "I-MISC",
        "AMA": "I-ORG",
        "ECB": "I-ORG",
    }
    names = by_name(tag_and_merge(text, tags))
    assert names["Environment Agency"]["count"] == 3
    assert names["Environment Agency"]["type"] == "ORG"
    assert "EA" not in names


def test_an_organisation_with_and_without_the_word_for_its_kind_is_one():
    text = "Emirates Airline ordered jets. Emirates said the Brexit Party and Brexit differ."
    tags = {"Emirates": "I-ORG", "Airline": "I-ORG", "Brexit": "I-MISC", "Party": "I-ORG"}
    split = sentences(text)
    tags_ = [[tags.get(t.text, "O") for t in s] for s in split]
    tags_[1][3:5] = ["B-ORG", "I-ORG"]  # "Brexit Party"
    names = by_name(merge(mentions_from_tags(split, tags_, text), text))
    assert names["Emirates Airline"]["count"] == 2
    assert names["Brexit Party"]["count"] == 1
    assert names["Brexit"]["type"] == "MISC"


def test_a_product_joins_its_owners_name_only_when_the_owner_is_named_alone():
    text = "Google Stadia launched. Google said Stadia costs less. South Korea and Korea."
    tags = {"Google": "I-ORG", "Stadia": "I-MISC", "South": "I-LOC", "Korea": "I-LOC"}
    split = sentences(text)
    tags_ = [[tags.get(t.text, "O") for t in s] for s in split]
    tags_[0][:2] = ["B-ORG", "I-ORG"]
    names = by_name(merge(mentions_from_tags(split, tags_, text), text))
    assert names["Google Stadia"]["count"] == 2
    assert names["Google"]["count"] == 1
    assert names["South Korea"]["count"] == 1
    assert names["Korea"]["count"] == 1


def test_forms_of_one_full_name_join_and_the_surname_with_them():
    text = (
        "Patrick W. Carlineo was charged. Carlineo, known as Pat Carlineo, denied it. "
        "Patrick Carlineo Jr. appeared in court."
    )
    tags = {w: "I-PER" for w in ("Patrick", "W.", "Carlineo", "Pat", "Jr.")}
    entities = tag_and_merge(text, tags)
    assert [(e["name"], e["count"]) for e in entities] == [("Patrick W. Carlineo", 4)]


def test_full_names_that_differ_in_a_first_or_middle_name_stay_apart():
    text = "Kim Sang Hee met Kim Jong Hee. Elizabeth Burton and Victor Burton left."
    tags = {w: "I-PER" for w in ("Kim", "Sang", "Jong", "Hee", "Elizabeth", "Victor", "Burton")}
    # "and" sits between the two Burtons, so each is its own span.
    names = by_name(tag_and_merge(text, tags))
    assert {"Kim Sang Hee", "Kim Jong Hee", "Elizabeth Burton", "Victor Burton"} <= set(names)


def test_a_state_joins_its_dateline_abbreviation():
    text = "SANTA FE, N.M. (AP) — New Mexico lawmakers met."
    names = by_name(tag_and_merge(text, {"New": "I-LOC", "Mexico": "I-LOC"}))
    assert names["New Mexico"]["type"] == "LOC"
    assert {m["text"] for m in names["New Mexico"]["mentions"]} == {"N.M.", "New Mexico"}


def test_spellings_that_differ_in_accents_or_a_transliterated_ending_are_one_name():
    text = "Volodymyr Zelenskyy met José Mourinho. Zelensky and Jose Mourinho spoke."
    tags = {w: "I-PER" for w in ("Volodymyr", "Zelenskyy", "Zelensky", "José", "Jose", "Mourinho")}
    names = by_name(tag_and_merge(text, tags))
    assert names["Volodymyr Zelenskyy"]["count"] == 2
    assert names["José Mourinho"]["count"] == 2


def test_an_initial_that_fits_two_people_joins_neither():
    text = "John Smith and Jane Smith spoke. J. Smith left."
    tags = {w: "I-PER" for w in ("John", "Jane", "Smith", "J.")}
    names = by_name(tag_and_merge(text, tags))
    assert names["John Smith"]["count"] == 1
    assert names["Jane Smith"]["count"] == 1


def test_a_title_word_that_is_a_surname_stays_with_its_person():
    text = "Graham King produced it. King said the Chancellor agreed."
    tags = {w: "I-PER" for w in ("Graham", "King", "Chancellor")}
    names = by_name(tag_and_merge(text, tags))
    assert set(names) == {"Graham King"}
    assert names["Graham King"]["count"] == 2


def test_an_honorific_makes_a_title_word_a_name():
    text = "Mr King said so. The Chancellor agreed."
    names = by_name(tag_and_merge(text, {"Mr": "I-PER", "King": "I-PER", "Chancellor": "I-PER"}))
    assert set(names) == {"King"}


_AWKWARD_WORDS = (
    "( ) , ; & and of the in on Mr Sir King Chancellor Attorney General Jr. J. Pat Patrick Smith "
    "Airbus A350 737 Max Q3 IPO GEBCO Bathymetric Chart Oceans N.M. New Mexico River Ouse Cup "
    "Act Show If Barclays Manchester United Zelenskyy Zelensky KLOOK !!"
)


def test_any_tagging_of_awkward_text_gives_well_formed_entities():
    """A worker must never die on what the tagger or the text throws at the alias rules:
    seeded random text of brackets, lists, titles, model numbers and abbreviations, tagged at
    random (including I- tags with no B- before them)."""
    import random

    words = [*_AWKWARD_WORDS.split(), "\n"]
    kinds = ["O"] * 4 + [f"{p}-{k}" for p in "BI" for k in ("PER", "ORG", "LOC", "MISC")]
    rng = random.Random(12)
    for _ in range(300):
        text = " ".join(rng.choice(words) for _ in range(rng.randint(1, 40)))
        split = sentences(text)
        tags = [[rng.choice(kinds) for _ in s] for s in split]
        entities = merge(mentions_from_tags(split, tags, text), text)
        check_offsets(text, entities)
        for entity in entities:
            assert entity["type"] in ("PER", "ORG", "LOC", "MISC") and entity["name"].strip()
