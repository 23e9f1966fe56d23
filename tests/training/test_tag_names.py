from pipeline.tag_model.features import Featurizer
from pipeline.tag_model.gazetteer import Gazetteer
from pipeline.training.tag.names import build, read_census

MALE = ["JAMES          3.318  3.318      1", "JORDAN         0.056 76.824    262"]
FEMALE = ["MEGAN          0.147 51.981    151", "JORDAN         0.012 79.772    792"]
LAST = [
    "SMITH          1.006  1.006      1",
    "YOUNG          0.193 10.090     28",
    "JORDAN         0.078 19.634    110",
    "BANK           0.001 68.677   8006",
    "MAJ            0.000 84.099  40000",
]


def test_census_rows_are_read_as_lower_cased_names_with_their_rank():
    assert read_census(["", *MALE]) == [("james", 1), ("jordan", 262)]


def test_names_fall_into_rank_buckets_and_rare_surnames_are_left_out():
    names = build(
        read_census(MALE + FEMALE), read_census(LAST), first_ranks=(200,), last_ranks=(100, 10_000)
    ).entries
    assert names[("james",)] == ("first1",)
    assert names[("megan",)] == ("first1",)
    # A name in both first-name lists takes its better rank; a surname too gets both kinds.
    assert names[("jordan",)] == ("first2", "last2")
    assert names[("smith",)] == ("last1",) and names[("young",)] == ("last1",)
    assert names[("bank",)] == ("last2",)
    assert ("maj",) not in names


def test_the_featurizer_marks_names_only_on_capitalised_tokens():
    names = build(read_census(FEMALE), read_census(LAST))
    featurizer = Featurizer(Gazetteer({}), {}, {"n": names})
    rows = featurizer.document([["Megan", "Smith", "looks", "young", "as", "Young", "said"]])[0]
    assert "n=U-first1" in rows[0] and "n=U-last1" in rows[1]
    assert not any(f.startswith("n=") for f in rows[3])
    assert "n=U-last1" in rows[5]
