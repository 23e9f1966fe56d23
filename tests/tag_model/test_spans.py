"""Span clean-up on hand-tagged text, seen in the merged entities, so these tests do not depend
on the model's mistakes."""

from pipeline.tag_model.aliases import merge
from pipeline.tag_model.spans import mentions_from_tags
from pipeline.text.sentences import sentences
from tests.tag_model.hand_tagged import by_name, check_offsets, tag_and_merge


def test_the_word_after_an_honorific_is_a_person_even_if_tagged_as_a_place():
    text = "Vladimir Putin spoke. Mr Putin said Sir Keir was wrong."
    tags = {"Vladimir": "I-PER", "Putin": "I-PER", "Keir": "I-LOC"}
    names = by_name(tag_and_merge(text, tags))
    assert names["Vladimir Putin"]["type"] == "PER"
    assert names["Vladimir Putin"]["count"] == 2
    assert names["Keir"]["type"] == "PER"


def test_untagged_name_after_honorific_is_added_and_possessive_dropped():
    text = "Mrs Thatcher\u2019s government fell."
    entities = tag_and_merge(text, {"’s": "I-PER"})
    assert [(e["name"], e["type"]) for e in entities] == [("Thatcher", "PER")]
    assert entities[0]["mentions"] == [{"start": 4, "end": 12, "text": "Thatcher"}]


def test_a_person_named_like_a_street_or_a_company_is_retyped():
    text = "Downing Street said Acme Group would pay."
    tags = {"Downing": "I-PER", "Street": "I-PER", "Acme": "I-PER", "Group": "I-PER"}
    names = by_name(tag_and_merge(text, tags))
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
    names = by_name(tag_and_merge(text, tags))
    assert names["Jolinda Drive"]["type"] == "LOC"
    assert names["Dick Clark Productions"]["type"] == "ORG"
    assert names["Acme Bank"]["type"] == "ORG"


def test_a_name_split_by_a_bracket_is_one_person():
    text = "(Russian President Vladimir) Putin spoke. Putin left."
    tags = {"Russian": "I-MISC", "Vladimir": "I-PER", "Putin": "I-PER"}
    entities = tag_and_merge(text, tags)
    names = by_name(entities)
    assert names["Vladimir Putin"]["count"] == 2
    assert "Vladimir" not in names
    check_offsets(text, entities)


def test_a_datelines_places_and_agency_are_named_whatever_the_tagger_said():
    text = "HANOI, Vietnam (AP) \u2014 The Hanoi Hilton held him.\n\nHe left Hanoi."
    tags = {"HANOI": "I-PER", "Hanoi": "I-PER", "Hilton": "I-PER"}
    names = by_name(tag_and_merge(text, tags))
    assert (names["HANOI"]["type"], names["Vietnam"]["type"], names["AP"]["type"]) == (
        "LOC",
        "LOC",
        "ORG",
    )
    # The dateline's city is not the surname of the "person" Hanoi Hilton.
    assert names["Hanoi Hilton"]["count"] == 1


def test_a_job_title_read_into_an_organisation_is_dropped():
    text = "Olivier Bosc, General Manager of Life Care Solutions Europe, said so."
    tags = {"Olivier": "I-PER", "Bosc": "I-PER"}
    tags.update(dict.fromkeys(["General", "Manager", "of", "Life", "Care", "Solutions"], "I-ORG"))
    tags["Europe"] = "I-ORG"
    names = by_name(tag_and_merge(text, tags))
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
    names = by_name(merge(mentions_from_tags(split, tags_, text), text))
    assert names["Aden O'Hara"]["type"] == "PER"
    assert names["Leeds"]["type"] == "LOC"
    # Only a one-word surname takes the place before it as a first name.
    assert "Nairobi" in names


def test_a_run_of_names_is_cut_at_list_commas_but_not_at_in_or_on():
    text = "Boots, Burberry and Investors in People met. Bracken; Yates played."
    run = ("Boots", ",", "Burberry", "Investors", "in", "People", "Bracken", ";", "Yates")
    names = by_name(tag_and_merge(text, {w: "I-ORG" for w in run}))
    assert set(names) == {"Boots", "Burberry", "Investors in People", "Bracken", "Yates"}


def test_names_that_hold_a_comma_or_an_institutions_on_stay_whole():
    text = "Goldman, Sachs & Co joined the Conference on Disarmament talks."
    tags = {w: "I-ORG" for w in ("Goldman", ",", "Sachs", "&", "Co")}
    tags.update({w: "I-MISC" for w in ("Conference", "on", "Disarmament")})
    assert set(by_name(tag_and_merge(text, tags))) == {
        "Goldman, Sachs & Co",
        "Conference on Disarmament",
    }


def test_a_name_across_a_line_break_is_two_names():
    text = "Reporting by Jane Smith\nEditing by Tom Brown"
    tags = {w: "I-PER" for w in ("Jane", "Smith", "Editing", "Tom", "Brown")}
    names = by_name(tag_and_merge(text, tags))
    assert "Jane Smith" in names
    assert "Jane Smith Editing" not in names


def test_a_name_and_its_bracketed_acronym_are_one_entity_and_stray_marks_are_cut():
    text = "The International Monetary Fund (IMF) met. Thanks KLOOK!! said the IMF."
    tags = {w: "I-ORG" for w in ("International", "Monetary", "Fund", "(", "IMF", ")", "KLOOK")}
    tags["!"] = "I-ORG"
    names = by_name(tag_and_merge(text, tags))
    assert set(names) == {"International Monetary Fund", "KLOOK"}
    assert names["International Monetary Fund"]["count"] == 3


def test_a_river_or_a_lake_read_as_an_organisation_is_a_place():
    text = "The River Ouse burst its banks near Lake Windermere."
    tags = {w: "I-ORG" for w in ("River", "Ouse", "Lake", "Windermere")}
    tags["near"] = "O"
    names = by_name(tag_and_merge(text, tags))
    assert names["River Ouse"]["type"] == "LOC"


def test_a_sentence_opener_run_into_a_name_named_alone_elsewhere_is_cut():
    text = (
        "If Barclays sells, Barclays wins if it can. Royal Mail grew. Mail staff joined the "
        "Royal Mail. Manchester United won, and United were glad."
    )
    tags = {w: "I-ORG" for w in ("If", "Barclays", "Royal", "Mail", "Manchester", "United")}
    names = by_name(tag_and_merge(text, tags))
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
    names = by_name(tag_and_merge(text, tags))
    assert set(names) == {"William Barr"}


def test_a_name_defined_by_an_abbreviation_is_one_entity_with_it():
    text = (
        "The General Bathymetric Chart of the Oceans (GEBCO) maps the sea. GEBCO said so. "
        "Gross domestic product (GDP) rose."
    )
    tags = {w: "I-MISC" for w in ("General", "Bathymetric", "Chart")}
    tags.update({"Oceans": "I-LOC", "GEBCO": "I-ORG"})
    entities = tag_and_merge(text, tags)
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
    names = by_name(tag_and_merge(text, tags))
    assert names["Monetary Policy Committee"]["count"] == 2
    assert names["Bank"]["type"] == "ORG"
    assert names["World Travel and Tourism Council"]["type"] == "ORG"
    assert names["World Travel and Tourism Council"]["count"] == 2


def test_a_name_with_a_model_number_is_a_product_but_a_score_is_not():
    text = "Airbus A350 and Boeing 737 Max jets flew. Arsenal 2 Chelsea 1."
    tags = {"Airbus": "I-ORG", "Boeing": "I-ORG", "Arsenal": "I-ORG", "Chelsea": "I-ORG"}
    names = by_name(tag_and_merge(text, tags))
    assert names["Airbus A350"]["type"] == "MISC"
    assert names["Boeing 737 Max"]["type"] == "MISC"
    assert names["Arsenal"]["type"] == "ORG"


def test_a_quarter_is_no_model_number():
    text = "Apple Q3 results and Apple A13 chips."
    names = by_name(tag_and_merge(text, {"Apple": "I-ORG"}))
    assert names["Apple"]["type"] == "ORG"
    assert names["Apple A13"]["type"] == "MISC"


def test_events_prizes_and_laws_are_misc_whatever_the_tagger_said():
    text = "At the Geneva Motor Show the Brit Awards and the Freedom of Information Act came up."
    tags = {w: "I-ORG" for w in ("Geneva", "Motor", "Show", "Freedom", "of", "Information", "Act")}
    tags.update({"Brit": "I-PER", "Awards": "I-PER"})
    names = by_name(tag_and_merge(text, tags))
    assert {n: e["type"] for n, e in names.items()} == {
        "Geneva Motor Show": "MISC",
        "Brit Awards": "MISC",
        "Freedom of Information Act": "MISC",
    }
