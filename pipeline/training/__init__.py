"""Model builders (``make train-tag``/``make train-ner``, ``make train-stance``): they need the
``[train]`` extras (torch, onnx, GloVe vectors) and are never imported by the runtime, which
loads only the committed files in ``pipeline/models/``. A builder may import the runtime, never
the reverse (tests/test_layout.py checks it).

``experiments/`` holds code behind measurements reported in the model provenance files but not
used by any make target: it is kept so those figures can be reproduced.
"""
