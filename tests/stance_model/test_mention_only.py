import pytest

from pipeline.stance_model.mention_only import MentionOnly, mention_only


def _only(text, name, nth=0):
    start = -1
    for _ in range(nth + 1):
        start = text.index(name, start + 1)
    return mention_only(text, [(start, start + len(name))])


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("KYIV (Reuters) - Ukraine said Russia struck overnight.", "KYIV"),
        ("KYIV (Reuters) - Ukraine said Russia struck overnight.", "Reuters"),
        ("LONDON, March 3 - The prime minister met Zelensky.", "LONDON"),
        ("WASHINGTON (AP) — Trump lashed out at the court.", "WASHINGTON"),
        ("SAN JOSE, Calif. (AP) — Apple shares rose.", "SAN JOSE"),
        ("DES MOINES, Iowa – Donald Trump's experiment came to an end.", "Iowa"),
        ("Kyiv (Reuters) - Ukraine said Russia struck overnight.", "Kyiv"),
    ],
)
def test_dateline(text, name):
    assert _only(text, name) is MentionOnly.DATELINE


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Macron, Scholz and Meloni attended the summit.", "Scholz"),
        (
            "French President Emmanuel Macron, German Chancellor Olaf Scholz and Giorgia Meloni "
            "attended the summit in Brussels.",
            "Giorgia Meloni",
        ),
        ("Trump and Xi also took part in the talks.", "Xi"),
        ("Among those present were Macron, Scholz and Meloni.", "Meloni"),
        ("Attendees included Macron and Scholz.", "Macron"),
    ],
)
def test_attendee_list(text, name):
    assert _only(text, name) is MentionOnly.ATTENDEE_LIST


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Ukraine said (AP) that Russia struck overnight.", "AP"),
        ("By Jane Doe and John Roe, Reuters", "Jane Doe"),
        ("By Jane Doe and John Roe, Reuters", "Reuters"),
    ],
)
def test_byline(text, name):
    assert _only(text, name) is MentionOnly.BYLINE


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Putin at the Kremlin. Photo: Sergei Ilnitsky/EPA", "EPA"),
        ("Trump and Xi Jinping (Photo: Andy Wong, AP)", "Andy Wong"),
        (
            "Image copyright Reuters Image caption Mr Mnangagwa has been at the heart of power",
            "Reuters",
        ),
        ("Image copyright Jim Shelley Image caption Jim borrowed a camera.", "Jim Shelley"),
    ],
)
def test_photo_credit(text, name):
    assert _only(text, name) is MentionOnly.PHOTO_CREDIT


@pytest.mark.parametrize(
    ("text", "name"),
    [
        # The rest of a datelined sentence is read as usual.
        ("KYIV (Reuters) - Ukraine said Russia struck overnight.", "Ukraine"),
        ("WASHINGTON (AP) — Trump lashed out at the court.", "Trump"),
        # An attendance with a clause of its own, or a list interrupted by one, can carry a stance.
        ("Macron attended the summit and praised Scholz.", "Macron"),
        ("Macron, who led the talks, attended.", "Macron"),
        ("Macron attended the summit, where he attacked Trump.", "Macron"),
        ("Mr Trump did not attend the meeting.", "Trump"),
        # A caption beside a credit is prose, and so is a lower-case "image:".
        ("Putin at the Kremlin. Photo: Sergei Ilnitsky/EPA", "Putin"),
        (
            "Image copyright Reuters Image caption Mr Mnangagwa has been at the heart of power",
            "Mnangagwa",
        ),
        ("Image copyright AFP John Walker Lindh was sent to prison.", "John Walker Lindh"),
        ("It was an iconic image: Phyllis Lyon and Del Martin embracing.", "Phyllis Lyon"),
        ("Putin (AP) is a liar.", "Putin"),
        ("US President Donald Trump slammed the EU.", "Donald Trump"),
    ],
)
def test_mentions_that_can_carry_a_stance_are_left_to_the_model(text, name):
    assert _only(text, name) is None


def test_every_mention_must_be_mention_only():
    text = "WASHINGTON (AP) — Critics said WASHINGTON had failed."
    assert mention_only(text, [(0, 10)]) is MentionOnly.DATELINE
    assert mention_only(text, [(0, 10), (31, 41)]) is None
    assert mention_only(text, []) is None
