"""``news-pipeline predict`` and ``news-pipeline eval``, one module per stage's model:
extraction (the normalise stage's body), tag (CoNLL-2003 NER), entities (whole-article
entities on real news), stance (NewsMTSC)."""
