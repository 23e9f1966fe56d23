"""The shipped CoNLL-2003 CRF: files on disk -> BILOU tags for tokenised documents."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from importlib import resources
from pathlib import Path
from typing import Any

from pipeline.errors import ModelNotAvailable
from pipeline.tag_model.consistency import consistency_features
from pipeline.tag_model.features import Featurizer, normalise_token
from pipeline.tag_model.gazetteer import Gazetteer

MODEL_FILE = "model.crfsuite"
SECOND_PASS_FILE = "model2.crfsuite"
GAZETTEER_FILE = "gazetteer.json"
CLUSTERS_FILE = "clusters.json"
PLACES_FILE = "places.json"
NAMES_FILE = "names.json"
COMPANIES_FILE = "companies.json"
META_FILE = "meta.json"
# meta.json's key for the document domain the features are conjoined with (features.DOMAINS);
# absent in models trained before it, which are featurised exactly as before.
DOMAIN_KEY = "domain"
# Optional name lists from outside CoNLL (experiments: pipeline/training/tag/places.py,
# names.py and companies.py), by the feature prefix their matches get; a model folder without
# one is tagged exactly as before.
LIST_FILES = {"x": PLACES_FILE, "n": NAMES_FILE, "c": COMPANIES_FILE}


def default_model_dir() -> Path:
    return Path(str(resources.files("pipeline") / "models" / "tag"))


def load_clusters(path: Path) -> dict[str, str]:
    if not path.exists():
        return {}
    data: dict[str, str] = json.loads(path.read_text("utf-8"))
    return data


def list_paths(directory: Path) -> dict[str, Path]:
    """The optional name lists (LIST_FILES) present in a model folder, by feature prefix."""
    paths = {prefix: directory / name for prefix, name in LIST_FILES.items()}
    return {prefix: path for prefix, path in paths.items() if path.is_file()}


class NerModel:
    """Two crfsuite taggers (the second sees the first's document-wide votes) plus the
    gazetteer and word clusters their features need."""

    def __init__(
        self,
        tagger: Any,
        featurizer: Featurizer,
        meta: dict[str, Any],
        second_pass: Any | None = None,
    ) -> None:
        self._tagger = tagger
        self._second_pass = second_pass
        self.featurizer = featurizer
        self.meta = meta

    @classmethod
    def load(cls, model_dir: Path | None = None) -> NerModel:
        """Load the shipped model (or the one in `model_dir`) once; tagging reuses it."""
        directory = model_dir or default_model_dir()
        model_path = directory / MODEL_FILE
        if not model_path.is_file():
            raise ModelNotAvailable(
                f"NER model not found at {model_path}; train it with `make train-tag`"
            )
        try:
            meta_path = directory / META_FILE
            meta = json.loads(meta_path.read_text("utf-8")) if meta_path.exists() else {}
            clusters = load_clusters(directory / CLUSTERS_FILE)
            second = directory / SECOND_PASS_FILE
            return cls.load_files(
                model_path,
                directory / GAZETTEER_FILE,
                clusters,
                meta,
                second if second.is_file() else None,
                list_paths(directory),
            )
        except (OSError, ValueError) as exc:
            raise ModelNotAvailable(f"cannot load the NER model from {directory}: {exc}") from exc

    @classmethod
    def load_files(
        cls,
        model_path: Path,
        gazetteer_path: Path,
        clusters: dict[str, str],
        meta: dict[str, Any] | None = None,
        second_pass_path: Path | None = None,
        lists: Mapping[str, Path] | None = None,
    ) -> NerModel:
        import pycrfsuite  # heavy optional import: only workers that tag need it

        tagger = pycrfsuite.Tagger()
        tagger.open(str(model_path))
        second = None
        if second_pass_path is not None:
            second = pycrfsuite.Tagger()
            second.open(str(second_pass_path))
        featurizer = Featurizer(
            Gazetteer.load(gazetteer_path),
            clusters,
            {prefix: Gazetteer.load(path) for prefix, path in (lists or {}).items()},
            domain=(meta or {}).get(DOMAIN_KEY),
        )
        return cls(tagger, featurizer, meta or {}, second)

    def tag_document(self, sentences: Sequence[Sequence[str]]) -> list[list[str]]:
        """BILOU tags for each sentence of one document (documents give the tagger context)."""
        features = self.featurizer.document(sentences)
        first = [self._tagger.tag(x) if x else [] for x in features]
        if self._second_pass is None:
            return first
        second = with_consistency(sentences, features, first)
        named = {
            w.lower()
            for s, tags in zip(sentences, first, strict=True)
            for w, t in zip(s, tags, strict=True)
            if t != "O"
        }
        return [
            self._second_pass.tag(x) if _may_hold_a_name(s, tags, named) else tags
            for s, x, tags in zip(sentences, second, first, strict=True)
        ]


def _may_hold_a_name(sentence: Sequence[str], first_pass: Sequence[str], named: set[str]) -> bool:
    """Whether the second pass could tag anything in this sentence.

    It only (re)types capitalised words; a sentence the first pass left all O whose only
    capital is its first word, a word tagged nowhere else in the document, comes back all O.
    Skipping those saves a CRF pass per such sentence at no cost in F1 (BBC tagging 5-10%
    faster). with_consistency still builds their feature lists; sparing that is left to do.
    """
    if any(t != "O" for t in first_pass):
        return True
    if any(w[:1].isupper() for w in sentence[1:]):
        return True
    return bool(sentence) and sentence[0][:1].isupper() and sentence[0].lower() in named


def with_consistency(
    sentences: Sequence[Sequence[str]],
    features: list[list[list[str]]],
    first_pass: Sequence[Sequence[str]],
) -> list[list[list[str]]]:
    """First-pass features plus the document-wide votes of the first pass's tags."""
    lowered = [[normalise_token(t).lower() for t in s] for s in sentences]
    capitalised = [[t[:1].isupper() for t in s] for s in sentences]
    extra = consistency_features(lowered, capitalised, first_pass)
    return [
        [own + more for own, more in zip(sentence, additions, strict=True)]
        for sentence, additions in zip(features, extra, strict=True)
    ]
