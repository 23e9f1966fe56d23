from pipeline.training.tag.domain_check import desk_is_sport, report


def _tokens(text: str) -> list[str]:
    return text.split()


def test_sports_desks_are_read_from_the_headline():
    assert desk_is_sport(_tokens("SOCCER - JAPAN GET LUCKY WIN ."))
    assert desk_is_sport(_tokens("RUGBY UNION - MULDER OUT OF SECOND TEST ."))
    assert desk_is_sport(_tokens("RTRS - Tennis - Muster upset ."))
    assert desk_is_sport(_tokens("Rugby league-Australian rugby league results ."))


def test_other_desks_and_plain_headlines_are_not_sport():
    assert not desk_is_sport(_tokens("PRESS DIGEST - Wall Street Journal - Aug 29 ."))
    assert not desk_is_sport(_tokens("EU rejects German call to boycott British lamb ."))


def test_report_counts_precision_and_recall():
    line = report("x", [(True, True), (True, False), (False, True), (False, False)])
    assert "precision 50.0 (1/2), recall 50.0 (1/2)" in line
