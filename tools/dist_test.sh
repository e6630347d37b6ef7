#!/usr/bin/env bash
# Multi-process testing with MMEngine's launcher, as MMPose's own
# tools/dist_test.sh: torchrun starts MMPose's tools/test.py once per GPU.
#
#   bash tools/dist_test.sh CONFIG CHECKPOINT NUM_GPUS [test.py options]
#
# On CPU (tests), add: --cfg-options env_cfg.dist_cfg.backend=gloo
set -euo pipefail
CONFIG=$1
CHECKPOINT=$2
GPUS=$3
NNODES=${NNODES:-1}
NODE_RANK=${NODE_RANK:-0}
PORT=${PORT:-29500}
MASTER_ADDR=${MASTER_ADDR:-"127.0.0.1"}
PYTHON=${PYTHON:-python}

TEST_PY=$("$PYTHON" -c "import mmpose, os.path as p; \
print(p.join(p.dirname(mmpose.__file__), '.mim', 'tools', 'test.py'))")

PYTHONPATH="$(dirname "$0")/..:${PYTHONPATH:-}" \
"$PYTHON" -m torch.distributed.run \
    --nnodes="$NNODES" \
    --node_rank="$NODE_RANK" \
    --master_addr="$MASTER_ADDR" \
    --nproc_per_node="$GPUS" \
    --master_port="$PORT" \
    "$TEST_PY" "$CONFIG" "$CHECKPOINT" --launcher pytorch "${@:4}"
