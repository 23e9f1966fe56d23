"""What the stance stage is built from, at run time: encoder inputs (``inputs``), ONNX
inference (``runtime``), NewsMTSC reading and its train/dev split (``data``) and scores
(``metrics``). Training and export live in pipeline.training.stance.
"""

LABELS: tuple[str, str, str] = ("against", "neutral", "favor")

__all__ = ["LABELS"]
