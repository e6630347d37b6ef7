#!/usr/bin/env bash
# Multi-process training with MMEngine's launcher, as MMPose's own
# tools/dist_train.sh: torchrun starts MMPose's tools/train.py once per GPU.
#
#   bash tools/dist_train.sh CONFIG NUM_GPUS [train.py options]
#
# Environment: NNODES, NODE_RANK, MASTER_ADDR, PORT (torchrun's rendezvous)
# and PYTHON (the interpreter with MMPose installed, default `python`).
#
# Without CUDA (CPU DDP, e.g. tests) each process runs on the CPU with the
# gloo backend: MMEngine's `--launcher pytorch` calls torch.cuda.set_device,
# so the gloo process group is created first (MMEngine then skips its own
# init_dist), and the DDP wrapper is configured without `device_ids`. Options
# given after CONFIG NUM_GPUS still override these defaults.
set -euo pipefail
CONFIG=$1
GPUS=$2
NNODES=${NNODES:-1}
NODE_RANK=${NODE_RANK:-0}
PORT=${PORT:-29500}
MASTER_ADDR=${MASTER_ADDR:-"127.0.0.1"}
PYTHON=${PYTHON:-python}

# MMPose's train.py and whether CUDA is available, in one interpreter start.
read -r TRAIN_PY HAS_CUDA < <("$PYTHON" -c "import os.path as p, mmpose, \
torch; print(p.join(p.dirname(mmpose.__file__), '.mim', 'tools', \
'train.py'), int(torch.cuda.is_available()))")
if [ -z "${TRAIN_PY:-}" ]; then
    echo "dist_train.sh: $PYTHON cannot import mmpose and torch" >&2
    exit 1
fi

if [ "$HAS_CUDA" = 1 ]; then
    LAUNCH=("$TRAIN_PY")
    CPU_OPTIONS=()
else
    # gloo group first, then MMPose's train.py as __main__ (argv shifted).
    BOOT="import runpy, sys, torch.distributed as dist; \
dist.init_process_group('gloo'); sys.argv = sys.argv[1:]; \
runpy.run_path(sys.argv[0], run_name='__main__')"
    LAUNCH=(--no-python "$PYTHON" -c "$BOOT" "$TRAIN_PY")
    CPU_OPTIONS=(--cfg-options env_cfg.dist_cfg.backend=gloo
        model_wrapper_cfg.type=MMDistributedDataParallel
        model_wrapper_cfg.device_ids=None
        model_wrapper_cfg.broadcast_buffers=False)
fi

PYTHONPATH="$(dirname "$0")/..:${PYTHONPATH:-}" \
"$PYTHON" -m torch.distributed.run \
    --nnodes="$NNODES" \
    --node_rank="$NODE_RANK" \
    --master_addr="$MASTER_ADDR" \
    --nproc_per_node="$GPUS" \
    --master_port="$PORT" \
    "${LAUNCH[@]}" "$CONFIG" --launcher pytorch \
    ${CPU_OPTIONS[@]+"${CPU_OPTIONS[@]}"} "${@:3}"
