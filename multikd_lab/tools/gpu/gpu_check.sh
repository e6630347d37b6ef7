#!/usr/bin/env bash
# The plugin's GPU measurements in one command (multikd_lab/tools/gpu/gpu_check.py says
# what they are):
#
#   bash multikd_lab/tools/gpu/gpu_check.sh [--bundle DIR] [gpu_check.py options]
#   bash multikd_lab/tools/gpu/gpu_check.sh --device cuda --out work_dirs/gpu_check
#   bash multikd_lab/tools/gpu/gpu_check.sh --device cpu --dry-run --out /tmp/check
#
# When the interpreter ($PYTHON, default python3) cannot import MMPose, the
# bundle made by multikd_lab/tools/gpu/prepare_bundle.sh (default .gpu_bundle) is
# installed first, into $GPU_CHECK_SITE (default /tmp/multikd-site), with
# mmcv and xtcocotools compiled there; their wheels are then copied to
# OUT/built so that a later run can reuse them. Its log is OUT/setup.log.
set -uo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)"
cd "$ROOT"
PYTHON="${PYTHON:-python3}"
BUNDLE="$ROOT/.gpu_bundle"
OUT="work_dirs/gpu_check"
ARGS=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --bundle) BUNDLE="$2"; shift 2 ;;
    --out) OUT="$2"; ARGS+=("$1" "$2"); shift 2 ;;
    *) ARGS+=("$1"); shift ;;
  esac
done
mkdir -p "$OUT"
export PYTHONPATH="$ROOT${PYTHONPATH:+:$PYTHONPATH}"
export PYTHONUNBUFFERED=1
start=$(date +%s)
if ! "$PYTHON" -c 'import mmpose.models' >/dev/null 2>&1; then
  if [[ ! -d "$BUNDLE/wheels" ]]; then
    echo "gpu_check.sh: $PYTHON cannot import mmpose.models and there is" \
      "no bundle at $BUNDLE (make one with multikd_lab/tools/gpu/prepare_bundle.sh)" >&2
    exit 2
  fi
  echo "[gpu_check] installing the bundle (log: $OUT/setup.log)"
  if ! exports="$(PYTHON="$PYTHON" bash multikd_lab/tools/gpu/install_bundle.sh \
    "$BUNDLE" "${GPU_CHECK_SITE:-/tmp/multikd-site}" "$OUT/built" \
    2>"$OUT/setup.log")"; then
    echo "gpu_check.sh: installing the bundle failed; the end of" \
      "$OUT/setup.log:" >&2
    tail -n 40 "$OUT/setup.log" >&2
    exit 2
  fi
  eval "$exports"
  tail -n 5 "$OUT/setup.log"
fi
echo "[gpu_check] environment ready in $(( $(date +%s) - start )) s"
"$PYTHON" -c 'import torch; print("[gpu_check] torch", torch.__version__,
"cuda", torch.cuda.is_available(),
torch.cuda.get_device_name(0) if torch.cuda.is_available() else "")'
"$PYTHON" -m multikd_lab.tools.gpu.gpu_check --python "$PYTHON" "${ARGS[@]}"
