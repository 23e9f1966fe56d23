"""EXPERIMENT, not used by any make target: a larger stance model that teaches the shipped one.

    python -m pipeline.training.experiments.teacher train --base-dir DIR --out DIR
    python -m pipeline.training.experiments.teacher predict --out DIR --extra-targets FILE
    python -m pipeline.training.experiments.teacher label --out DIR --targets FILE --output FILE

``train`` checkpoints as it goes and resumes when rerun with the same arguments; ``label``
appends as it goes and skips what its output already holds.

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


def _epoch_chunks(texts: Sequence[str], args: argparse.Namespace, epoch: int) -> list[list[int]]:
    # One generator per epoch, so a resumed run replays the same batches in the same order.
    return _by_length(texts, args.batch_size, random.Random(args.seed * 1000 + epoch))


def _save(obj: object, path: Path) -> None:
    """Write-then-rename: a run stopped mid-write leaves the previous file whole."""
    partial = path.with_suffix(".partial")
    torch.save(obj, partial)
    partial.replace(path)


def train(args: argparse.Namespace) -> None:
    """Fine-tune, saving ``state.pt`` every ``--save-every`` steps and ``epoch<N>.pt`` after each
    epoch; rerunning the same command resumes from ``state.pt`` (weights, AdamW moments,
    schedule, dropout RNG, position in the epoch). The best epoch on dev becomes ``teacher.pt``."""
    torch.manual_seed(args.seed)
    train_split, dev = split(list(read_newsmtsc(args.data)))
    texts, labels, _ = _rows(train_split)
    dev_texts, dev_labels, _ = _rows(dev)
    model = Teacher(args.base_dir)
    with torch.no_grad():  # markers start from the mean embedding, not from noise
        embeddings = model.encoder.get_input_embeddings().weight
        embeddings[-len(MARKERS) :] = embeddings[: -len(MARKERS)].mean(0)
    loss_fn = nn.CrossEntropyLoss(weight=class_weights(labels))
    per_epoch = -(-len(texts) // args.batch_size)
    steps = args.epochs * per_epoch
    optimiser = Optimiser(model, args.lr, steps)
    label_tensor = torch.tensor(labels)
    args.out.mkdir(parents=True, exist_ok=True)
    state_path = args.out / "state.pt"
    step, scores = 0, dict[str, float]()
    if state_path.exists():
        state = torch.load(state_path, map_location="cpu", weights_only=False)
        model.load_state_dict(state["model"])
        optimiser.load_state_dict(state["optimiser"])
        torch.set_rng_state(state["rng"])
        step, scores = state["step"], state["scores"]
        print(f"resumed at step {step}/{steps} from {state_path}", flush=True)

    def checkpoint() -> None:
        state = {
            "model": model.state_dict(),
            "optimiser": optimiser.state_dict(),
            "rng": torch.get_rng_state(),
            "step": step,
            "scores": scores,
        }
        _save(state, state_path)

    print(f"train {len(texts)} targets, dev {len(dev_texts)}, {steps} steps", flush=True)
    started, rows_done = time.monotonic(), 0
    for epoch in range(args.epochs):
        if str(epoch) in scores:
            continue  # finished before a resume
        chunks = _epoch_chunks(texts, args, epoch)
        for chunk in chunks[step - epoch * per_epoch :]:
            loss = loss_fn(model([texts[i] for i in chunk]), label_tensor[chunk])
            optimiser.step(loss)
            step += 1
            rows_done += len(chunk)
            if step % 10 == 0:
                elapsed = time.monotonic() - started
                print(
                    f"epoch {epoch} step {step}/{steps} loss {loss.item():.3f} {elapsed:.0f}s "
                    f"{rows_done / elapsed:.2f} rows/s",
                    flush=True,
                )
            if step % args.save_every == 0:
                checkpoint()
        predicted = probabilities(model, dev_texts).argmax(1)
        score = macro_f1([LABELS[y] for y in dev_labels], [LABELS[y] for y in predicted])
        scores[str(epoch)] = score
        _save(model.state_dict(), args.out / f"epoch{epoch}.pt")
        checkpoint()
        print(
            f"epoch {epoch} dev macro-F1 {score:.4f} {time.monotonic() - started:.0f}s", flush=True
        )
    best = max(scores, key=lambda epoch: scores[epoch])
    (args.out / "teacher.pt").unlink(missing_ok=True)
    (args.out / "teacher.pt").symlink_to(f"epoch{best}.pt")
    (args.out / "scores.json").write_bytes(orjson.dumps({"dev_macro_f1": scores, "best": best}))
    print(f"best epoch {best}: dev macro-F1 {scores[best]:.4f} -> {args.out / 'teacher.pt'}")


def _load(args: argparse.Namespace) -> Teacher:
    model = Teacher(args.base_dir)
    model.load_state_dict(torch.load(args.out / "teacher.pt", map_location="cpu"))
    return model


def _write_probabilities(
    model: Teacher, sentences: Sequence[Sentence], output: Path, chunk_rows: int = 1024
) -> None:
    """Append the probabilities of every target of ``sentences`` to ``output`` as JSONL
    (primary_gid, gid, probs), a chunk at a time; targets already there are skipped, so a
    stopped run resumes where it stopped."""
    done: set[tuple[str, str]] = set()
    if output.exists():
        with output.open("rb") as lines:
            done = {(r["primary_gid"], r["gid"]) for r in map(orjson.loads, lines)}
    todo = [s for s in sentences if any((s.primary_gid, t.gid) not in done for t in s.targets)]
    texts, _, keys = _rows(todo)
    pending = [i for i, key in enumerate(keys) if key not in done]
    print(f"{len(done)} targets already labelled, {len(pending)} to go -> {output}", flush=True)
    # In the file's order, a chunk at a time (``probabilities`` sorts each chunk by length), so
    # that a stopped run leaves a labelled prefix of the file.
    started = time.monotonic()
    with output.open("ab") as out:
        for n in range(0, len(pending), chunk_rows):
            chunk = pending[n : n + chunk_rows]
            probs = probabilities(model, [texts[i] for i in chunk])
            for i, p in zip(chunk, probs, strict=True):
                rounded = [round(float(x), 5) for x in p]
                primary_gid, gid = keys[i]
                out.write(orjson.dumps({"primary_gid": primary_gid, "gid": gid, "probs": rounded}))
                out.write(b"\n")
            out.flush()
            finished = n + len(chunk)
            rate = finished / (time.monotonic() - started)
            print(f"{finished}/{len(pending)} {rate:.2f} rows/s", flush=True)


def predict(args: argparse.Namespace) -> None:
    """The training split's targets (and ``--extra-targets``) -> ``teacher_probs.jsonl``."""
    train_split, _ = split(list(read_newsmtsc(args.data)))
    sentences: list[Sentence] = list(train_split)
    if args.extra_targets is not None:
        sentences += list(read_newsmtsc(args.extra_targets, with_labels=False))
    _write_probabilities(_load(args), sentences, args.out / "teacher_probs.jsonl")


def label(args: argparse.Namespace) -> None:
    """Every target of a NewsMTSC-form file (polarity never read) -> ``--output``, resumable."""
    sentences = list(read_newsmtsc(args.targets, with_labels=False))
    _write_probabilities(_load(args), sentences, args.output)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    for name in ("train", "predict", "label"):
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
    train_command.add_argument("--save-every", type=int, default=100, help="steps")
    commands.choices["predict"].add_argument("--extra-targets", type=Path)
    label_command = commands.choices["label"]
    label_command.add_argument("--targets", type=Path, required=True, help="NewsMTSC-form JSONL")
    label_command.add_argument("--output", type=Path, required=True, help="JSONL, appended to")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    {"train": train, "predict": predict, "label": label}[args.command](args)


if __name__ == "__main__":
    main()
