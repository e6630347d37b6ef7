#!/usr/bin/env bash
# Build the project's virtual environment, idempotently.
#
#   VENV=.venv bash tools/install_env.sh
#
# The recipe follows the traps listed in ../shared/SPEC.md: setuptools<81,
# --no-build-isolation for packages that import torch/numpy at build time,
# mmcv 2.1.0 compiled from source with the C++ standard raised to C++20 (torch
# 2.14's headers need it), xtcocotools from source under NumPy 2, openmim
# without its opendatalab dependency. Built wheels are cached in
# $MULTIKD_WHEEL_CACHE (default ~/.cache/mmpose-multikd/wheels) so a second
# install on the same machine takes seconds instead of ~26 minutes.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${VENV:-$ROOT/.venv}"
PYTHON="${PYTHON:-python3}"
WHEELS="${MULTIKD_WHEEL_CACHE:-$HOME/.cache/mmpose-multikd/wheels}"
REQ="$ROOT/requirements"
STAMP="$VENV/.multikd-env-stamp"

log() { printf '[install_env] %s\n' "$*"; }

stamp_value() {
  cat "$REQ"/*.txt "$ROOT/setup.py" "$ROOT/tools/install_env.sh" | sha256sum | cut -d' ' -f1
}

check_env() {
  "$VENV/bin/python" - <<'EOF'
import mmcv, mmengine, mmpose, torch
from mmcv.ops import nms  # noqa: F401  compiled ops are present
import mmpose.models  # noqa: F401  needs mmcv.ops and mmdet
import mmpose_multikd  # noqa: F401
import albumentations, onnxruntime, onnxscript  # noqa: F401  deploy, RTMPose
from mmpose.datasets.transforms import Albumentation  # noqa: F401
print(f'torch {torch.__version__}, mmengine {mmengine.__version__}, '
      f'mmcv {mmcv.__version__} (ops), mmpose {mmpose.__version__}, '
      f'albumentations {albumentations.__version__}, '
      f'onnxruntime {onnxruntime.__version__}')
EOF
}

if [[ -f "$STAMP" && "$(cat "$STAMP")" == "$(stamp_value)" ]] && check_env; then
  log "environment at $VENV is up to date"
  exit 0
fi

start=$(date +%s)
mkdir -p "$WHEELS"
if [[ ! -x "$VENV/bin/python" ]]; then
  log "creating virtual environment at $VENV"
  "$PYTHON" -m venv "$VENV"
fi
PIP=("$VENV/bin/python" -m pip --disable-pip-version-check)

log "build tools"
"${PIP[@]}" install -q -U -r "$REQ/build.txt"
log "torch (local wheel cache of this machine kind)"
"${PIP[@]}" install -q -r "$REQ/torch.txt"
"${PIP[@]}" install -q "$(grep '^mmengine' "$REQ/runtime.txt")"

# Wheels that must be built from source are built once, then cached.
build_wheel() {  # name==version, extra pip args...
  local spec="$1"; shift
  local name="${spec%%==*}" version="${spec##*==}"
  if ! ls "$WHEELS/${name}-${version}-"*.whl >/dev/null 2>&1; then
    log "building $spec (cached afterwards in $WHEELS)"
    "${PIP[@]}" wheel -q --no-deps --no-build-isolation "$@" -w "$WHEELS" "$spec"
  fi
  "${PIP[@]}" install -q --no-deps --no-index --find-links "$WHEELS" "$spec"
}

build_wheel "$(grep '^xtcocotools' "$REQ/runtime.txt")" --no-binary xtcocotools
build_wheel "$(grep '^chumpy' "$REQ/runtime.txt")"

MMCV_SPEC="$(grep '^mmcv' "$REQ/runtime.txt")"
MMCV_VERSION="${MMCV_SPEC##*==}"
if ! ls "$WHEELS/mmcv-${MMCV_VERSION}-"*.whl >/dev/null 2>&1; then
  log "building full mmcv $MMCV_VERSION with ops (about 26 minutes on 2 cores)"
  src="$(mktemp -d)"
  "${PIP[@]}" download -q --no-deps --no-binary :all: --no-build-isolation \
    "$MMCV_SPEC" -d "$src"
  tar -xzf "$src/mmcv-${MMCV_VERSION}.tar.gz" -C "$src"
  # torch 2.14 headers need C++20; mmcv 2.1.0's setup.py asks for 14/17.
  sed -i -e 's/-std=c++14/-std=c++20/g' -e 's/-std=c++17/-std=c++20/g' \
    "$src/mmcv-${MMCV_VERSION}/setup.py"
  MMCV_WITH_OPS=1 MAX_JOBS="${MAX_JOBS:-2}" "${PIP[@]}" wheel -q --no-deps \
    --no-build-isolation -w "$WHEELS" "$src/mmcv-${MMCV_VERSION}"
  rm -rf "$src"
fi
"${PIP[@]}" install -q --find-links "$WHEELS" "$MMCV_SPEC"

log "mmpose, mmdet and the plugin (editable, with test extras)"
# albumentations and qudida without their opencv-python-headless dependency
# (a second cv2 beside mmcv's opencv-python); runtime.txt lists their real
# dependencies.
NO_DEPS_RUNTIME=(-e '^albumentations' -e '^qudida')
"${PIP[@]}" install -q --find-links "$WHEELS" \
  $(grep -v -e '^#' -e '^$' "${NO_DEPS_RUNTIME[@]}" "$REQ/runtime.txt")
"${PIP[@]}" install -q --no-deps $(grep "${NO_DEPS_RUNTIME[@]}" "$REQ/runtime.txt")
log "ONNX export and inference (requirements/deploy.txt)"
"${PIP[@]}" install -q -r "$REQ/deploy.txt"
"${PIP[@]}" install -q --no-deps "$(grep '^openmim' "$REQ/tests.txt")"
"${PIP[@]}" install -q $(grep -v -e '^#' -e '^openmim' -e '^$' "$REQ/tests.txt")
"${PIP[@]}" install -q --no-deps --no-build-isolation -e "$ROOT"

check_env
stamp_value > "$STAMP"
log "done in $(( $(date +%s) - start )) s"
