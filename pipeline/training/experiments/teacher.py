"""EXPERIMENT, not used by any make target: a larger stance model that teaches the shipped one.

    python -m pipeline.training.experiments.teacher train --base-dir DIR --out DIR
    python -m pipeline.training.experiments.teacher predict --out DIR --extra-targets FILE

The teacher is all-mpnet-base-v2 (110M parameters; see the model's PROVENANCE.md) fine-tuned
with one row per target, the target's mentions wrapped in two added marker tokens, and
classified from the first marker's state next to the row's mean. It scores well above the
MiniLM student on the dev split but is far too slow for the stream (about 8x the compute per
row, and one row per target instead of one per sentence), so it only labels training data:
`predict` writes its probabilities for every training target, the gold ones and the extra
unlabelled ones, as the JSONL that `python -m pipeline.training.stance.train --teacher` reads.

transformers 5.x needs newer tokenizers and huggingface-hub than the pipeline pins, so this runs
in an environment of its own, which no make target builds: create a virtualenv, install
`transformers torch safetensors` and this package with `--no-deps`, then run the commands above.
"""

from __future__ import annotations

import argparse
import random
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import orjson
import torch
from torch import nn

from pipeline.shared_data import SharedData
from pipeline.stance_model import LABELS
from pipeline.stance_model.data import Sentence, read_newsmtsc, split
from pipeline.stance_model.metrics import macro_f1
from pipeline.training.stance.optimisation import Optimiser, class_weights

MARKERS = ("<t>", "</t>")
MAX_TOKENS = 128


def marked(text: str, spans: Sequence[tuple[int, int]]) -> str:
    """The sentence with each (non-overlapping) mention of one target wrapped in markers."""
    pieces, last = [], 0
    for start, end in sorted(spans):
        if start < last:
            continue
        pieces += [text[last:start], f" {MARKERS[0]} ", text[start:end], f" {MARKERS[1]} "]
        last = end
    pieces.append(text[last:])
    return "".join(pieces)


class Teacher(nn.Module):
    def __init__(self, base_dir: Path) -> None:
        from transformers import AutoModel, AutoTokenizer

        super().__init__()
        self.tokenizer = AutoTokenizer.from_pretrained(base_dir)
        self.tokenizer.add_tokens(list(MARKERS), special_tokens=True)
        self.marker_id = self.tokenizer.convert_tokens_to_ids(MARKERS[0])
        self.encoder = AutoModel.from_pretrained(base_dir)
        self.encoder.resize_token_embeddings(len(self.tokenizer))
        self.dropout = nn.Dropout(0.1)
        hidden = self.encoder.config.hidden_size
        self.head = nn.Linear(hidden * 2, len(LABELS))

    def forward(self, texts: Sequence[str]) -> torch.Tensor:
        batch = self.tokenizer(
            list(texts), padding=True, truncation=True, max_length=MAX_TOKENS, return_tensors="pt"
        )
        states = self.encoder(
            input_ids=batch["input_ids"], attention_mask=batch["attention_mask"]
        ).last_hidden_state
        mask = batch["attention_mask"][..., None].to(states.dtype)
        means = (states * mask).sum(1) / mask.sum(1)
        # A marker cut off by truncation makes argmax pick position 0 (<s>): still a row summary.
        first_marker = (batch["input_ids"] == self.marker_id).to(torch.int64).argmax(1)
        markers = states[torch.arange(len(states)), first_marker]
        logits: torch.Tensor = self.head(self.dropout(torch.cat([markers, means], -1)))
        return logits


def _rows(sentences: Sequence[Sentence]) -> tuple[list[str], list[int], list[tuple[str, str]]]:
    texts, labels, keys = [], [], []
    for sentence in sentences:
        for target in sentence.targets:
            texts.append(marked(sentence.text, target.spans))
            labels.append(LABELS.index(target.label) if target.label else -100)
            keys.append((sentence.primary_gid, target.gid))
    return texts, labels, keys


def _by_length(texts: Sequence[str], size: int, rng: random.Random | None) -> list[list[int]]:
    jitter = (lambda: rng.random() * 40) if rng else (lambda: 0.0)
    order = sorted(range(len(texts)), key=lambda i: len(texts[i]) + jitter())
    chunks = [order[i : i + size] for i in range(0, len(order), size)]
    if rng:
        rng.shuffle(chunks)
    return chunks


def probabilities(model: Teacher, texts: Sequence[str]) -> np.ndarray:
    model.eval()
    out = np.zeros((len(texts), len(LABELS)), np.float32)
    with torch.no_grad():
        for chunk in _by_length(texts, 64, None):
            out[chunk] = torch.softmax(model([texts[i] for i in chunk]), -1).numpy()
    model.train()
    return out


def train(args: argparse.Namespace) -> None:
    torch.manual_seed(args.seed)
    rng = random.Random(args.seed)
    train_split, dev = split(list(read_newsmtsc(args.data)))
    texts, labels, _ = _rows(train_split)
    dev_texts, dev_labels, _ = _rows(dev)
    model = Teacher(args.base_dir)
    with torch.no_grad():  # markers start from the mean embedding, not from noise
        embeddings = model.encoder.get_input_embeddings().weight
        embeddings[-len(MARKERS) :] = embeddings[: -len(MARKERS)].mean(0)
    loss_fn = nn.CrossEntropyLoss(weight=class_weights(labels))
    steps = args.epochs * -(-len(texts) // args.batch_size)
    optimiser = Optimiser(model, args.lr, steps)
    label_tensor = torch.tensor(labels)
    started, step = time.monotonic(), 0
    for epoch in range(args.epochs):
        for chunk in _by_length(texts, args.batch_size, rng):
            loss = loss_fn(model([texts[i] for i in chunk]), label_tensor[chunk])
            optimiser.step(loss)
            step += 1
            if step % 50 == 0:
                print(
                    f"epoch {epoch} step {step}/{steps} loss {loss.item():.3f} "
                    f"{time.monotonic() - started:.0f}s",
                    flush=True,
                )
        predicted = probabilities(model, dev_texts).argmax(1)
        score = macro_f1([LABELS[y] for y in dev_labels], [LABELS[y] for y in predicted])
        print(
            f"epoch {epoch} dev macro-F1 {score:.4f} {time.monotonic() - started:.0f}s", flush=True
        )
    args.out.mkdir(parents=True, exist_ok=True)
    torch.save(model.state_dict(), args.out / "teacher.pt")


def predict(args: argparse.Namespace) -> None:
    model = Teacher(args.base_dir)
    model.load_state_dict(torch.load(args.out / "teacher.pt", map_location="cpu"))
    train_split, _ = split(list(read_newsmtsc(args.data)))
    sentences: list[Sentence] = list(train_split)
    if args.extra_targets is not None:
        sentences += list(read_newsmtsc(args.extra_targets, with_labels=False))
    texts, _, keys = _rows(sentences)
    probs = probabilities(model, texts)
    with (args.out / "teacher_probs.jsonl").open("wb") as out:
        for (primary_gid, gid), p in zip(keys, probs, strict=True):
            rounded = [round(float(x), 5) for x in p]
            out.write(orjson.dumps({"primary_gid": primary_gid, "gid": gid, "probs": rounded}))
            out.write(b"\n")
    print(f"{len(keys)} targets -> {args.out / 'teacher_probs.jsonl'}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    for name in ("train", "predict"):
        command = commands.add_parser(name)
        command.add_argument("--data", type=Path, default=SharedData.default().newsmtsc_train)
        command.add_argument(
            "--base-dir", type=Path, required=True, help="the unpacked all-mpnet-base-v2 folder"
        )
        command.add_argument("--out", type=Path, required=True)
        command.add_argument("--threads", type=int, default=2)
    train_command = commands.choices["train"]
    train_command.add_argument("--epochs", type=int, default=2)
    train_command.add_argument("--batch-size", type=int, default=16)
    train_command.add_argument("--lr", type=float, default=3e-5)
    train_command.add_argument("--seed", type=int, default=0)
    commands.choices["predict"].add_argument("--extra-targets", type=Path)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    train(args) if args.command == "train" else predict(args)


if __name__ == "__main__":
    main()
