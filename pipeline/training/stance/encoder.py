"""A plain BERT encoder in PyTorch, enough to fine-tune and export MiniLM-L6 (training only).

Written out rather than taken from `transformers` so that training needs only torch and
safetensors, and so the exported ONNX graph holds exactly these operations.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import torch
from torch import nn


class _Layer(nn.Module):
    def __init__(self, hidden: int, heads: int, intermediate: int, dropout: float) -> None:
        super().__init__()
        self.heads = heads
        self.query = nn.Linear(hidden, hidden)
        self.key = nn.Linear(hidden, hidden)
        self.value = nn.Linear(hidden, hidden)
        self.attention_out = nn.Linear(hidden, hidden)
        self.attention_norm = nn.LayerNorm(hidden, eps=1e-12)
        self.intermediate = nn.Linear(hidden, intermediate)
        self.output = nn.Linear(intermediate, hidden)
        self.output_norm = nn.LayerNorm(hidden, eps=1e-12)
        self.dropout = nn.Dropout(dropout)

    def forward(self, x: torch.Tensor, bias: torch.Tensor) -> torch.Tensor:
        b, t, h = x.shape
        d = h // self.heads

        def split(y: torch.Tensor) -> torch.Tensor:
            return y.view(b, t, self.heads, d).transpose(1, 2)

        q, k, v = split(self.query(x)), split(self.key(x)), split(self.value(x))
        scores = q @ k.transpose(-1, -2) / math.sqrt(d) + bias
        context = self.dropout(scores.softmax(-1)) @ v
        context = context.transpose(1, 2).reshape(b, t, h)
        x = self.attention_norm(x + self.dropout(self.attention_out(context)))
        inner = nn.functional.gelu(self.intermediate(x))
        return self.output_norm(x + self.dropout(self.output(inner)))


class BertEncoder(nn.Module):
    def __init__(self, config: dict[str, int | float]) -> None:
        super().__init__()
        hidden = int(config["hidden_size"])
        dropout = float(config["hidden_dropout_prob"])
        self.word_embeddings = nn.Embedding(int(config["vocab_size"]), hidden)
        self.position_embeddings = nn.Embedding(int(config["max_position_embeddings"]), hidden)
        self.token_type_embeddings = nn.Embedding(int(config["type_vocab_size"]), hidden)
        self.embedding_norm = nn.LayerNorm(hidden, eps=1e-12)
        self.dropout = nn.Dropout(dropout)
        self.layers = nn.ModuleList(
            _Layer(
                hidden,
                int(config["num_attention_heads"]),
                int(config["intermediate_size"]),
                dropout,
            )
            for _ in range(int(config["num_hidden_layers"]))
        )

    def forward(
        self,
        input_ids: torch.Tensor,
        attention_mask: torch.Tensor,
        token_type_ids: torch.Tensor,
    ) -> torch.Tensor:
        positions = torch.arange(input_ids.shape[1], device=input_ids.device)[None, :]
        x = (
            self.word_embeddings(input_ids)
            + self.position_embeddings(positions)
            + self.token_type_embeddings(token_type_ids)
        )
        x = self.dropout(self.embedding_norm(x))
        bias = (1.0 - attention_mask[:, None, None, :].to(x.dtype)) * -10000.0
        for layer in self.layers:
            x = layer(x, bias)
        return x

    @classmethod
    def from_pretrained(cls, model_dir: Path) -> BertEncoder:
        """Load a Hugging Face BERT checkpoint (config.json + model.safetensors)."""
        from safetensors.torch import load_file

        encoder = cls(json.loads((model_dir / "config.json").read_text()))
        state = load_file(str(model_dir / "model.safetensors"))
        missing, unexpected = encoder.load_state_dict(_rename(state), strict=False)
        if missing:
            raise ValueError(f"checkpoint lacks {missing}; unused: {unexpected}")
        return encoder


def _rename(state: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    renames = {
        "embeddings.LayerNorm.": "embedding_norm.",
        "encoder.layer.": "layers.",
        "attention.self.": "",
        "attention.output.dense.": "attention_out.",
        "attention.output.LayerNorm.": "attention_norm.",
        "intermediate.dense.": "intermediate.",
        "output.dense.": "output.",
        "output.LayerNorm.": "output_norm.",
    }
    renamed = {}
    for key, value in state.items():
        new = key.removeprefix("bert.")
        if not new.startswith("embeddings.LayerNorm."):
            new = new.removeprefix("embeddings.")
        for old, replacement in renames.items():
            new = new.replace(old, replacement)
        renamed[new] = value
    return renamed
