"""Alias merging on hand-tagged text, so these tests do not depend on the model's mistakes."""

from pipeline.tag_model.aliases import mentions_from_tags, merge
from pipeline.text.sentences import sentences


def _entities(text, tags_by_word):
    """Tag each token by its text (a small stand-in for the CRF) and merge."""
    split = sentences(text)
    tags = [[tags_by_word.get(t.text, "O") for t in s] for s in split]
    # Continue a multi-token name: B- for the first word of a name, I- for the next ones.
    for s_tags in tags:
        for i in range(1, len(s_tags)):
            if s_tags[i].startswith("I-") and s_tags[i - 1] == "O":
                s_tags[i] = "B-" + s_tags[i][2:]
    return merge(mentions_from_tags(split, tags, text), text)


def _by_name(entities):
    return {e["name"]: e for e in entities}


def _check_offsets(text, entities):
    for entity in entities:
        assert entity["count"] == len(entity["mentions"])
        assert 0 <= entity["salience"] <= 1
        for mention in entity["mentions"]:
            assert text[mention["start"] : mention["end"]] == mention["text"]


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
    entities = _entities(text, tags)
    _check_offsets(text, entities)
    names = _by_name(entities)
    assert set(names) == {"Keir Starmer", "Donald Trump", "Washington"}
    assert names["Keir Starmer"]["count"] == 3
    assert [m["text"] for m in names["Keir Starmer"]["mentions"]] == [
        "Keir Starmer",
        "Keir",
        "Starmer",
    ]
    assert names["Donald Trump"]["count"] == 3
    assert names["Donald Trump"]["type"] == "PER"


def test_the_word_after_an_honorific_is_a_person_even_if_tagged_as_a_place():
    text = "Vladimir Putin spoke. Mr Putin said Sir Keir was wrong."
    tags = {"Vladimir": "I-PER", "Putin": "I-PER", "Keir": "I-LOC"}
    names = _by_name(_entities(text, tags))
    assert names["Vladimir Putin"]["type"] == "PER"
    assert names["Vladimir Putin"]["count"] == 2
    assert names["Keir"]["type"] == "PER"


def test_a_surname_tagged_as_another_type_joins_the_person():
    text = "Vladimir Putin spoke. Putin left Moscow."
    split = sentences(text)
    tags = [["B-PER", "I-PER", "O", "O"], ["B-LOC", "O", "B-LOC", "O"]]
    names = _by_name(merge(mentions_from_tags(split, tags, text), text))
    assert names["Vladimir Putin"]["count"] == 2
    assert names["Moscow"]["type"] == "LOC"


def test_untagged_name_after_honorific_is_added_and_possessive_dropped():
    text = "Mrs Thatcher\u2019s government fell."
    entities = _entities(text, {"’s": "I-PER"})
    assert [(e["name"], e["type"]) for e in entities] == [("Thatcher", "PER")]
    assert entities[0]["mentions"] == [{"start": 4, "end": 12, "text": "Thatcher"}]


def test_acronym_and_repeated_names_merge_but_different_names_do_not():
    text = "The European Union and the EU summit in Paris. Paris and Berlin agreed."
    tags = {
        "European": "I-ORG",
        "Union": "I-ORG",
        "EU": "I-ORG",
        "Paris": "I-LOC",
        "Berlin": "I-LOC",
    }
    names = _by_name(_entities(text, tags))
    assert names["European Union"]["count"] == 2
    assert names["Paris"]["count"] == 2
    assert names["Berlin"]["count"] == 1
    assert names["Paris"]["salience"] > names["Berlin"]["salience"]


def test_a_person_named_like_a_street_or_a_company_is_retyped():
    text = "Downing Street said Acme Group would pay."
    tags = {"Downing": "I-PER", "Street": "I-PER", "Acme": "I-PER", "Group": "I-PER"}
    names = _by_name(_entities(text, tags))
    assert names["Downing Street"]["type"] == "LOC"
    assert names["Acme Group"]["type"] == "ORG"


def test_an_organisation_named_like_a_street_is_a_place_and_a_production_company_not_a_person():
    text = "Police closed Jolinda Drive. Dick Clark Productions said Acme Bank paid."
    tags = {
        "Jolinda": "I-ORG",
        "Drive": "I-ORG",
        "Dick": "I-PER",
        "Clark": "I-PER",
        "Productions": "I-PER",
        "Acme": "I-ORG",
        "Bank": "I-ORG",
    }
    names = _by_name(_entities(text, tags))
    assert names["Jolinda Drive"]["type"] == "LOC"
    assert names["Dick Clark Productions"]["type"] == "ORG"
    assert names["Acme Bank"]["type"] == "ORG"


def test_no_mentions_gives_no_entities():
    assert merge([], "") == []


def test_two_people_sharing_a_surname_are_never_merged():
    text = "Elizabeth Burton, 32, was arrested. Victor Burton, 57, was also held. Burton said."
    tags = {"Elizabeth": "I-PER", "Victor": "I-PER", "Burton": "I-PER"}
    entities = _entities(text, tags)
    names = _by_name(entities)
    assert names["Elizabeth Burton"]["count"] == 1
    assert names["Victor Burton"]["count"] == 1
    # The bare surname could be either of them: it stays apart rather than join one.
    assert names["Burton"]["count"] == 1
    _check_offsets(text, entities)


def test_a_name_split_by_a_bracket_is_one_person():
    text = "(Russian President Vladimir) Putin spoke. Putin left."
    tags = {"Russian": "I-MISC", "Vladimir": "I-PER", "Putin": "I-PER"}
    entities = _entities(text, tags)
    names = _by_name(entities)
    assert names["Vladimir Putin"]["count"] == 2
    assert "Vladimir" not in names
    _check_offsets(text, entities)


def test_country_short_and_long_names_are_one_place():
    text = "The United States and the U.S. agreed. US officials said America would pay."
    tags = {
        "United": "I-LOC",
        "States": "I-LOC",
        "U.S.": "I-LOC",
        "US": "I-ORG",
        "America": "I-LOC",
    }
    names = _by_name(_entities(text, tags))
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
    names = _by_name(_entities(text, tags))
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
    names = _by_name(_entities(text, tags))
    assert names["Environment Agency"]["count"] == 3
    assert names["Environment Agency"]["type"] == "ORG"
    assert "EA" not in names


def test_a_datelines_places_and_agency_are_named_whatever_the_tagger_said():
    text = "HANOI, Vietnam (AP) \u2014 The Hanoi Hilton held him.\n\nHe left Hanoi."
    tags = {"HANOI": "I-PER", "Hanoi": "I-PER", "Hilton": "I-PER"}
    names = _by_name(_entities(text, tags))
    assert (names["HANOI"]["type"], names["Vietnam"]["type"], names["AP"]["type"]) == (
        "LOC",
        "LOC",
        "ORG",
    )
    # The dateline's city is not the surname of the "person" Hanoi Hilton.
    assert names["Hanoi Hilton"]["count"] == 1


def test_an_organisation_with_and_without_the_word_for_its_kind_is_one():
    text = "Emirates Airline ordered jets. Emirates said the Brexit Party and Brexit differ."
    tags = {"Emirates": "I-ORG", "Airline": "I-ORG", "Brexit": "I-MISC", "Party": "I-ORG"}
    split = sentences(text)
    tags_ = [[tags.get(t.text, "O") for t in s] for s in split]
    tags_[1][3:5] = ["B-ORG", "I-ORG"]  # "Brexit Party"
    names = _by_name(merge(mentions_from_tags(split, tags_, text), text))
    assert names["Emirates Airline"]["count"] == 2
    assert names["Brexit Party"]["count"] == 1
    assert names["Brexit"]["type"] == "MISC"


def test_a_product_joins_its_owners_name_only_when_the_owner_is_named_alone():
    text = "Google Stadia launched. Google said Stadia costs less. South Korea and Korea."
    tags = {"Google": "I-ORG", "Stadia": "I-MISC", "South": "I-LOC", "Korea": "I-LOC"}
    split = sentences(text)
    tags_ = [[tags.get(t.text, "O") for t in s] for s in split]
    tags_[0][:2] = ["B-ORG", "I-ORG"]
    names = _by_name(merge(mentions_from_tags(split, tags_, text), text))
    assert names["Google Stadia"]["count"] == 2
    assert names["Google"]["count"] == 1
    assert names["South Korea"]["count"] == 1
    assert names["Korea"]["count"] == 1


def test_a_job_title_read_into_an_organisation_is_dropped():
    text = "Olivier Bosc, General Manager of Life Care Solutions Europe, said so."
    tags = {"Olivier": "I-PER", "Bosc": "I-PER"}
    tags.update(dict.fromkeys(["General", "Manager", "of", "Life", "Care", "Solutions"], "I-ORG"))
    tags["Europe"] = "I-ORG"
    names = _by_name(_entities(text, tags))
    assert names["Life Care Solutions Europe"]["type"] == "ORG"
    assert not any("Manager" in name for name in names)


def test_a_first_name_read_as_a_place_joins_the_surname_after_it():
    text = "Aden O'Hara scored twice. Fans in Leeds cheered. Nairobi Serena Hotel staff."
    tags = {
        "Aden": "I-LOC",
        "O'Hara": "I-PER",
        "Leeds": "I-LOC",
        "Nairobi": "I-LOC",
        "Serena": "I-PER",
        "Hotel": "I-PER",
    }
    split = sentences(text)
    tags_ = [[tags.get(t.text, "O") for t in s] for s in split]
    tags_[2][1:3] = ["B-PER", "I-PER"]  # "Serena Hotel", after the place "Nairobi"
    names = _by_name(merge(mentions_from_tags(split, tags_, text), text))
    assert names["Aden O'Hara"]["type"] == "PER"
    assert names["Leeds"]["type"] == "LOC"
    # Only a one-word surname takes the place before it as a first name.
    assert "Nairobi" in names


def test_a_run_of_names_is_cut_at_list_commas_but_not_at_in_or_on():
    text = "Boots, Burberry and Investors in People met. Bracken; Yates played."
    run = ("Boots", ",", "Burberry", "Investors", "in", "People", "Bracken", ";", "Yates")
    names = _by_name(_entities(text, {w: "I-ORG" for w in run}))
    assert set(names) == {"Boots", "Burberry", "Investors in People", "Bracken", "Yates"}


def test_names_that_hold_a_comma_or_an_institutions_on_stay_whole():
    text = "Goldman, Sachs & Co joined the Conference on Disarmament talks."
    tags = {w: "I-ORG" for w in ("Goldman", ",", "Sachs", "&", "Co")}
    tags.update({w: "I-MISC" for w in ("Conference", "on", "Disarmament")})
    assert set(_by_name(_entities(text, tags))) == {
        "Goldman, Sachs & Co",
        "Conference on Disarmament",
    }


def test_a_name_across_a_line_break_is_two_names():
    text = "Reporting by Jane Smith\nEditing by Tom Brown"
    tags = {w: "I-PER" for w in ("Jane", "Smith", "Editing", "Tom", "Brown")}
    names = _by_name(_entities(text, tags))
    assert "Jane Smith" in names
    assert "Jane Smith Editing" not in names


def test_forms_of_one_full_name_join_and_the_surname_with_them():
    text = (
        "Patrick W. Carlineo was charged. Carlineo, known as Pat Carlineo, denied it. "
        "Patrick Carlineo Jr. appeared in court."
    )
    tags = {w: "I-PER" for w in ("Patrick", "W.", "Carlineo", "Pat", "Jr.")}
    entities = _entities(text, tags)
    assert [(e["name"], e["count"]) for e in entities] == [("Patrick W. Carlineo", 4)]


def test_full_names_that_differ_in_a_first_or_middle_name_stay_apart():
    text = "Kim Sang Hee met Kim Jong Hee. Elizabeth Burton and Victor Burton left."
    tags = {w: "I-PER" for w in ("Kim", "Sang", "Jong", "Hee", "Elizabeth", "Victor", "Burton")}
    # "and" sits between the two Burtons, so each is its own span.
    names = _by_name(_entities(text, tags))
    assert {"Kim Sang Hee", "Kim Jong Hee", "Elizabeth Burton", "Victor Burton"} <= set(names)


def test_a_state_joins_its_dateline_abbreviation():
    text = "SANTA FE, N.M. (AP) — New Mexico lawmakers met."
    names = _by_name(_entities(text, {"New": "I-LOC", "Mexico": "I-LOC"}))
    assert names["New Mexico"]["type"] == "LOC"
    assert {m["text"] for m in names["New Mexico"]["mentions"]} == {"N.M.", "New Mexico"}


def test_a_name_and_its_bracketed_acronym_are_one_entity_and_stray_marks_are_cut():
    text = "The International Monetary Fund (IMF) met. Thanks KLOOK!! said the IMF."
    tags = {w: "I-ORG" for w in ("International", "Monetary", "Fund", "(", "IMF", ")", "KLOOK")}
    tags["!"] = "I-ORG"
    names = _by_name(_entities(text, tags))
    assert set(names) == {"International Monetary Fund", "KLOOK"}
    assert names["International Monetary Fund"]["count"] == 3


def test_a_river_or_a_lake_read_as_an_organisation_is_a_place():
    text = "The River Ouse burst its banks near Lake Windermere."
    tags = {w: "I-ORG" for w in ("River", "Ouse", "Lake", "Windermere")}
    tags["near"] = "O"
    names = _by_name(_entities(text, tags))
    assert names["River Ouse"]["type"] == "LOC"


def test_a_sentence_opener_run_into_a_name_named_alone_elsewhere_is_cut():
    text = (
        "If Barclays sells, Barclays wins if it can. Royal Mail grew. Mail staff joined the "
        "Royal Mail. Manchester United won, and United were glad."
    )
    tags = {w: "I-ORG" for w in ("If", "Barclays", "Royal", "Mail", "Manchester", "United")}
    names = _by_name(_entities(text, tags))
    assert names["Barclays"]["count"] == 2
    # "Manchester" is never written in lower case: no word of the language, part of the name.
    assert names["Manchester United"]["count"] == 1
    assert "If Barclays" not in names
    # "Royal" is capitalised inside a sentence: part of the name.
    assert names["Royal Mail"]["count"] == 2
    assert names["Mail"]["count"] == 1


def test_a_title_alone_and_a_common_acronym_are_no_entities():
    text = "The Attorney General spoke. Its IPO came as Attorney General William Barr left."
    tags = {w: "I-PER" for w in ("Attorney", "General", "William", "Barr")}
    tags["IPO"] = "I-ORG"
    names = _by_name(_entities(text, tags))
    assert set(names) == {"William Barr"}


def test_spellings_that_differ_in_accents_or_a_transliterated_ending_are_one_name():
    text = "Volodymyr Zelenskyy met José Mourinho. Zelensky and Jose Mourinho spoke."
    tags = {w: "I-PER" for w in ("Volodymyr", "Zelenskyy", "Zelensky", "José", "Jose", "Mourinho")}
    names = _by_name(_entities(text, tags))
    assert names["Volodymyr Zelenskyy"]["count"] == 2
    assert names["José Mourinho"]["count"] == 2


def test_a_name_defined_by_an_abbreviation_is_one_entity_with_it():
    text = (
        "The General Bathymetric Chart of the Oceans (GEBCO) maps the sea. GEBCO said so. "
        "Gross domestic product (GDP) rose."
    )
    tags = {w: "I-MISC" for w in ("General", "Bathymetric", "Chart")}
    tags.update({"Oceans": "I-LOC", "GEBCO": "I-ORG"})
    entities = _entities(text, tags)
    assert [(e["name"], e["type"], e["count"]) for e in entities] == [
        ("General Bathymetric Chart of the Oceans", "MISC", 3)
    ]


def test_a_defined_name_keeps_the_name_before_it_and_ties_go_to_org():
    text = (
        "The Bank's Monetary Policy Committee (MPC) met the "
        "World Travel and Tourism Council (WTTC)."
    )
    tags = {
        w: "I-ORG" for w in ("Bank", "'s", "Monetary", "Policy", "Committee", "Tourism", "Council")
    }
    tags.update({"World": "I-LOC", "Travel": "I-LOC"})
    names = _by_name(_entities(text, tags))
    assert names["Monetary Policy Committee"]["count"] == 2
    assert names["Bank"]["type"] == "ORG"
    assert names["World Travel and Tourism Council"]["type"] == "ORG"
    assert names["World Travel and Tourism Council"]["count"] == 2


def test_a_name_with_a_model_number_is_a_product_but_a_score_is_not():
    text = "Airbus A350 and Boeing 737 Max jets flew. Arsenal 2 Chelsea 1."
    tags = {"Airbus": "I-ORG", "Boeing": "I-ORG", "Arsenal": "I-ORG", "Chelsea": "I-ORG"}
    names = _by_name(_entities(text, tags))
    assert names["Airbus A350"]["type"] == "MISC"
    assert names["Boeing 737 Max"]["type"] == "MISC"
    assert names["Arsenal"]["type"] == "ORG"


def test_an_initial_that_fits_two_people_joins_neither_and_a_quarter_is_no_model():
    text = "John Smith and Jane Smith spoke. J. Smith left. Apple Q3 results and Apple A13 chips."
    tags = {w: "I-PER" for w in ("John", "Jane", "Smith", "J.")}
    tags["Apple"] = "I-ORG"
    names = _by_name(_entities(text, tags))
    assert names["John Smith"]["count"] == 1
    assert names["Jane Smith"]["count"] == 1
    assert names["Apple"]["type"] == "ORG"
    assert names["Apple A13"]["type"] == "MISC"


def test_events_prizes_and_laws_are_misc_whatever_the_tagger_said():
    text = "At the Geneva Motor Show the Brit Awards and the Freedom of Information Act came up."
    tags = {w: "I-ORG" for w in ("Geneva", "Motor", "Show", "Freedom", "of", "Information", "Act")}
    tags.update({"Brit": "I-PER", "Awards": "I-PER"})
    names = _by_name(_entities(text, tags))
    assert {n: e["type"] for n, e in names.items()} == {
        "Geneva Motor Show": "MISC",
        "Brit Awards": "MISC",
        "Freedom of Information Act": "MISC",
    }


def test_a_title_word_that_is_a_surname_stays_with_its_person():
    text = "Graham King produced it. King said the Chancellor agreed."
    tags = {w: "I-PER" for w in ("Graham", "King", "Chancellor")}
    names = _by_name(_entities(text, tags))
    assert set(names) == {"Graham King"}
    assert names["Graham King"]["count"] == 2


def test_an_honorific_makes_a_title_word_a_name():
    text = "Mr King said so. The Chancellor agreed."
    names = _by_name(_entities(text, {"Mr": "I-PER", "King": "I-PER", "Chancellor": "I-PER"}))
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
        _check_offsets(text, entities)
        for entity in entities:
            assert entity["type"] in ("PER", "ORG", "LOC", "MISC") and entity["name"].strip()
