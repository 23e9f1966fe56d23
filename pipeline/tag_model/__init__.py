"""What the tag stage is built from: tokens and sentences come from pipeline.text.sentences,
features and gazetteer feed a two-pass CRF (``model``), and ``aliases`` merges the tagged spans
into entities, reading the word lists in ``wordlists``. CoNLL-2003 reading and scoring
(``conll``, ``conlleval``) serve evaluation and training."""
