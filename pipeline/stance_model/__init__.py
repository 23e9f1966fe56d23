"""Target-dependent stance model: input building, ONNX inference, training and export.

Only :mod:`.sentences`, :mod:`.inputs`, :mod:`.data` and :mod:`.runtime` are used at run time;
:mod:`.train` and :mod:`.export` need the training-only dependencies (torch, transformers).
"""

from pipeline.stance_model.sentences import split_sentences

LABELS: tuple[str, str, str] = ("against", "neutral", "favor")

__all__ = ["LABELS", "split_sentences"]
