"""Hand-tagged text through span clean-up and alias merging, for the tests of ``spans`` and
``aliases`` (a plain module: tests import it), so they do not depend on the model's mistakes."""

from pipeline.tag_model.aliases import merge
from pipeline.tag_model.spans import mentions_from_tags
from pipeline.text.sentences import sentences


def tag_and_merge(text, tags_by_word, key=None):
    """Tag each token by its text (a small stand-in for the CRF) and merge, with `key` (an
    entity's key function) when given."""
    split = sentences(text)
    tags = [[tags_by_word.get(t.text, "O") for t in s] for s in split]
    # Continue a multi-token name: B- for the first word of a name, I- for the next ones.
    for s_tags in tags:
        for i in range(1, len(s_tags)):
            if s_tags[i].startswith("I-") and s_tags[i - 1] == "O":
                s_tags[i] = "B-" + s_tags[i][2:]
    return merge(mentions_from_tags(split, tags, text), text, key=key)


def by_name(entities):
    return {e["name"]: e for e in entities}


def check_offsets(text, entities):
    for entity in entities:
        assert entity["count"] == len(entity["mentions"])
        assert 0 <= entity["salience"] <= 1
        for mention in entity["mentions"]:
            assert text[mention["start"] : mention["end"]] == mention["text"]
