from pipeline.tag_model.domain import Evidence, evidence, is_result_line, is_sport


def _tokens(text: str) -> list[str]:
    return text.split()


def _doc(*lines: str) -> list[list[str]]:
    return [line.split() for line in lines]


def test_a_match_report_is_sport():
    doc = _doc(
        "Sheffield United beat Leeds 3-1 on Saturday .",
        "Their striker scored twice before half-time in the league match .",
    )
    assert is_sport(doc)


def test_flood_news_naming_the_same_towns_is_not_sport():
    doc = _doc(
        "Flood warnings were issued for Yorkshire and Sheffield after the River Ouse rose .",
        "The Environment Agency said 1-2 metres of water could reach homes by Monday .",
        "Residents were told to move valuables upstairs and keep away from the banks .",
    )
    assert not is_sport(doc)


def test_scores_are_counted_hyphenated_or_spaced_with_a_dash():
    found = evidence(_doc("Palm Bay d. Rockledge 70-44 ; 3 \u2013 1 ; 2 - 0 ; 1996-08-22"))
    assert found.scores == 3
    assert found.words == 0


def test_sport_words_are_matched_case_insensitively():
    assert evidence(_doc("GOALS Innings wicket quarterback")).words == 4


def test_a_short_line_of_names_and_small_numbers_is_a_result_line():
    assert is_result_line(_tokens("Nancy 0 Paris St Germain 0"))
    assert is_result_line(_tokens("Ian Woosnam 68 70 71 209"))


def test_financial_and_long_lines_are_not_result_lines():
    assert not is_result_line(_tokens("Shares rose 12 pct to 45 cents"))
    assert not is_result_line(_tokens("Index 12 up 1.5"))
    assert not is_result_line(_tokens("1 2 3"))  # no name
    assert not is_result_line(["Team", "1", "Team", "2", *["word"] * 20])


def test_one_sport_word_in_a_long_article_is_not_enough():
    doc = _doc("The minister , a keen football fan , spoke about taxes .", *["More words ."] * 40)
    assert not is_sport(doc)


def test_evidence_of_an_empty_document():
    assert evidence([]) == Evidence(0, 0, 0)
    assert evidence([]).density == 0.0
    assert not is_sport([])
