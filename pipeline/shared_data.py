"""Where the read-only shared data lives: the one place that knows its layout.

Training, evaluation and the benchmarks read it; workers never do. The root is
``Settings.shared_dir`` (``NEWS_PIPELINE_SHARED_DIR``, default ``../shared``).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class SharedData:
    root: Path

    @classmethod
    def default(cls) -> SharedData:
        from pipeline.settings import Settings

        return cls(Settings().shared_dir)

    @classmethod
    def at(cls, root: Path | None) -> SharedData:
        """The layout under ``root``, or under the configured default when None."""
        return cls(root) if root is not None else cls.default()

    @property
    def bbc(self) -> Path:
        """2,225 BBC articles, ``<category>/<number>.txt``: title line, blank line, body."""
        return self.root / "data" / "corpora" / "bbc"

    @property
    def conll(self) -> Path:
        """CoNLL-2003 English: ``eng.train``, ``eng.testa``."""
        return self.root / "data" / "ner" / "conll2003"

    @property
    def newsmtsc_train(self) -> Path:
        """NewsMTSC's training file (the project splits it into train and dev)."""
        return self.root / "data" / "stance" / "newsmtsc" / "train.jsonl"

    @property
    def extraction(self) -> Path:
        """News pages (``html/``) and their true bodies (``ground-truth.json``)."""
        return self.root / "data" / "extraction"
