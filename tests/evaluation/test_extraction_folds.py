from pipeline.evaluation.extraction_folds import candidates, cross_validate, site_folds
from pipeline.text.extraction import DEFAULT_RULES, ExtractionRules


def test_a_sites_pages_stay_in_one_fold_and_folds_are_balanced():
    urls = {
        "a1": "https://www.a.example/x",
        "a2": "https://a.example/y",
        "b1": "https://b.example/x",
        "c1": "https://c.example/x",
        "d1": "https://d.example/x",
    }
    folds = site_folds(urls, 2)
    assert sorted(p for f in folds for p in f) == sorted(urls)
    assert any({"a1", "a2"} <= set(f) for f in folds)
    assert [len(f) for f in folds] == [3, 2]


def test_the_candidates_include_the_shipped_rules():
    assert DEFAULT_RULES in candidates()


def _page(text: str) -> bytes:
    paragraphs = "".join(f"<p>{text} sentence number {i} of the story.</p>" for i in range(8))
    return f"<html><body><article>{paragraphs}</article></body></html>".encode()


def test_cross_validation_reports_each_fold_and_each_rule():
    pages = [(p, _page(f"Page {p} says")) for p in ("p1", "p2")]
    truth = {
        p: "\n".join(f"Page {p} says sentence number {i} of the story." for i in range(8))
        for p in ("p1", "p2")
    }
    urls = {"p1": "https://one.example/a", "p2": "https://two.example/b"}
    report = cross_validate(
        pages, truth, urls, 2, [DEFAULT_RULES, ExtractionRules(drop_repeated_headline=False)]
    )
    assert "fold 0 (1 pages)" in report and "fold 1 (1 pages)" in report
    assert "drop_repeated_headline=True vs False" in report
    assert "include_tables" not in report  # not among the rule sets scored


def test_ties_keep_the_shipped_value_of_each_rule():
    from pipeline.evaluation.extraction_folds import _best, score_table

    pages = [("p1", _page("Page p1 says"))]
    truth = {"p1": "\n".join(f"Page p1 says sentence number {i} of the story." for i in range(8))}
    # Neither rule changes anything on this page: the shipped rules win the tie, whatever order.
    other = ExtractionRules(full_run_below_chars=0)
    table = score_table(pages, truth, [other, DEFAULT_RULES])
    assert _best(table, ["p1"]) == DEFAULT_RULES
