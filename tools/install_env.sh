#!/usr/bin/env bash
# Build one of the project's virtual environments, idempotently.
#
#   bash tools/install_env.sh                    # .venv, the reproducible one
#   VENV=.venv-oldest CONSTRAINTS=requirements/constraints/oldest.txt \
#     bash tools/install_env.sh                  # the oldest supported stack
#
# Every requirement file of requirements/ is installed under the exact
# versions of CONSTRAINTS (default requirements/constraints/default.txt);
# the extras a constraints file pins no version of (albumentations, the ONNX
# packages) are left out. The recipe follows the traps listed in
# ../shared/SPEC.md: setuptools<81, --no-build-isolation for packages that
# import torch/numpy at build time, mmcv 2.1.0 compiled from source (with the
# C++ standard the constraints file names), xtcocotools from source, openmim
# without its opendatalab dependency. Built wheels depend on torch and NumPy,
# so they are cached per torch version in
# $MULTIKD_WHEEL_CACHE/torch-<version> (default ~/.cache/mmpose-multikd/wheels):
# a second install on the same machine takes minutes instead of ~30.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${VENV:-$ROOT/.venv}"
PYTHON="${PYTHON:-python3}"
REQ="$ROOT/requirements"
CONSTRAINTS="$(realpath "${CONSTRAINTS:-$REQ/constraints/default.txt}")"
STAMP="$VENV/.multikd-env-stamp"

log() { printf '[install_env] %s\n' "$*"; }
die() { printf '[install_env] error: %s\n' "$*" >&2; exit 2; }

[[ -f "$CONSTRAINTS" ]] || die "constraints file $CONSTRAINTS does not exist"
# The constraint line of one package ("mmcv==2.1.0"), or nothing.
pin() { grep -E "^$1[=<>~!]" "$CONSTRAINTS" | head -n1 || true; }
exact_version() {
  local spec
  spec="$(pin "$1")"
  [[ "$spec" == "$1=="* ]] || die "$CONSTRAINTS pins no exact version of $1"
  printf '%s\n' "${spec##*==}"
}
TORCH_VERSION="$(exact_version torch)"
MMCV_VERSION="$(exact_version mmcv)"
WHEELS="${MULTIKD_WHEEL_CACHE:-$HOME/.cache/mmpose-multikd/wheels}/torch-$TORCH_VERSION"
MMCV_CXX_STD="$(sed -n 's/^# mmcv-cxx-std: *//p' "$CONSTRAINTS" | head -n1)"

stamp_value() {
  cat "$REQ"/*.txt "$CONSTRAINTS" "$ROOT/setup.py" "$ROOT/tools/install_env.sh" \
    | sha256sum | cut -d' ' -f1
}

check_env() {
  local extras=()
  [[ -n "$(pin albumentations)" ]] && extras+=(albumentations)
  [[ -n "$(pin onnxruntime)" ]] && extras+=(onnxruntime onnxscript)
  MULTIKD_EXTRAS="${extras[*]}" "$VENV/bin/python" - <<'PYEOF'
import importlib
import os

import mmcv, mmdet, mmengine, mmpose, torch
from mmcv.ops import nms  # noqa: F401  compiled ops are present
import mmpose.models  # noqa: F401  needs mmcv.ops and mmdet
import mmpose_multikd  # noqa: F401  checks the stack's versions
line = (f'torch {torch.__version__}, mmengine {mmengine.__version__}, '
        f'mmcv {mmcv.__version__} (ops), mmpose {mmpose.__version__}, '
        f'mmdet {mmdet.__version__}')
for name in os.environ['MULTIKD_EXTRAS'].split():
    line += f', {name} {importlib.import_module(name).__version__}'
print(line)
PYEOF
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
INSTALL=("${PIP[@]}" install -q -c "$CONSTRAINTS")

log "build tools, under $CONSTRAINTS"
"${INSTALL[@]}" -U -r "$REQ/build.txt"
log "torch $TORCH_VERSION"
"${INSTALL[@]}" torch torchvision
"${INSTALL[@]}" mmengine

# Wheels that must be built from source are built once, then cached.
build_wheel() {  # name, extra pip args...
  local name="$1"; shift
  local version
  version="$(exact_version "$name")"
  if ! ls "$WHEELS/${name}-${version}-"*.whl >/dev/null 2>&1; then
    log "building $name $version (cached afterwards in $WHEELS)"
    "${PIP[@]}" wheel -q --no-deps --no-build-isolation "$@" -w "$WHEELS" \
      "$name==$version"
  fi
  "${PIP[@]}" install -q --no-deps --no-index --find-links "$WHEELS" \
    "$name==$version"
}

build_wheel xtcocotools --no-binary xtcocotools
build_wheel chumpy

if ! ls "$WHEELS/mmcv-${MMCV_VERSION}-"*.whl >/dev/null 2>&1; then
  log "building full mmcv $MMCV_VERSION with ops against torch $TORCH_VERSION" \
    "(10-25 minutes on 2 cores)"
  src="$(mktemp -d)"
  "${PIP[@]}" download -q --no-deps --no-binary :all: --no-build-isolation \
    "mmcv==$MMCV_VERSION" -d "$src"
  tar -xzf "$src/mmcv-${MMCV_VERSION}.tar.gz" -C "$src"
  if [[ -n "$MMCV_CXX_STD" ]]; then
    sed -i -e "s/-std=c++14/-std=$MMCV_CXX_STD/g" \
      -e "s/-std=c++17/-std=$MMCV_CXX_STD/g" "$src/mmcv-${MMCV_VERSION}/setup.py"
  fi
  MMCV_WITH_OPS=1 MAX_JOBS="${MAX_JOBS:-2}" "${PIP[@]}" wheel -q --no-deps \
    --no-build-isolation -w "$WHEELS" "$src/mmcv-${MMCV_VERSION}"
  rm -rf "$src"
fi

log "the OpenMMLab stack (requirements/runtime.txt)"
"${INSTALL[@]}" --find-links "$WHEELS" -r "$REQ/runtime.txt"
if [[ -n "$(pin albumentations)" ]]; then
  log "albumentations for the RTMPose configs (requirements/albu.txt)"
  # albumentations and qudida without their opencv-python-headless
  # dependency (a second cv2 beside mmcv's opencv-python); albu.txt lists
  # their real dependencies.
  NO_DEPS=(-e '^albumentations' -e '^qudida')
  "${INSTALL[@]}" $(grep -v -e '^#' -e '^$' "${NO_DEPS[@]}" "$REQ/albu.txt")
  "${INSTALL[@]}" --no-deps $(grep "${NO_DEPS[@]}" "$REQ/albu.txt")
fi
if [[ -n "$(pin onnxruntime)" ]]; then
  log "ONNX export and inference (requirements/deploy.txt)"
  "${INSTALL[@]}" -r "$REQ/deploy.txt"
fi
log "test tools (requirements/tests.txt)"
"${INSTALL[@]}" --no-deps "$(grep '^openmim' "$REQ/tests.txt")"
"${INSTALL[@]}" $(grep -v -e '^#' -e '^openmim' -e '^$' "$REQ/tests.txt")
"${PIP[@]}" install -q --no-deps --no-build-isolation -e "$ROOT"

check_env
stamp_value > "$STAMP"
log "done in $(( $(date +%s) - start )) s"
