"""What the tag stage is built from: tokens and sentences come from pipeline.text.sentences,
features and gazetteer feed a two-pass CRF (``model``), ``spans`` cleans up the tagged spans and
``aliases`` merges them into entities, both reading the word lists in ``wordlists``. CoNLL-2003
reading and scoring (``conll``, ``conlleval``) serve evaluation and training."""
