#!/usr/bin/env bash
# Multi-process training with MMEngine's launcher, as MMPose's own
# tools/dist_train.sh: torchrun starts MMPose's tools/train.py once per GPU.
#
#   bash tools/dist_train.sh CONFIG NUM_GPUS [train.py options]
#
# On CPU (tests), add: --cfg-options env_cfg.dist_cfg.backend=gloo
set -euo pipefail
CONFIG=$1
GPUS=$2
NNODES=${NNODES:-1}
NODE_RANK=${NODE_RANK:-0}
PORT=${PORT:-29500}
MASTER_ADDR=${MASTER_ADDR:-"127.0.0.1"}
PYTHON=${PYTHON:-python}

TRAIN_PY=$("$PYTHON" -c "import mmpose, os.path as p; \
print(p.join(p.dirname(mmpose.__file__), '.mim', 'tools', 'train.py'))")

PYTHONPATH="$(dirname "$0")/..:${PYTHONPATH:-}" \
"$PYTHON" -m torch.distributed.run \
    --nnodes="$NNODES" \
    --node_rank="$NODE_RANK" \
    --master_addr="$MASTER_ADDR" \
    --nproc_per_node="$GPUS" \
    --master_port="$PORT" \
    "$TRAIN_PY" "$CONFIG" --launcher pytorch "${@:3}"
