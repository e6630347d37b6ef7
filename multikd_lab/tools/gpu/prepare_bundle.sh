#!/usr/bin/env bash
# Gather what a bare CUDA machine without network needs to run the plugin.
#
#   bash multikd_lab/tools/gpu/prepare_bundle.sh [BUNDLE_DIR]      (default: .gpu_bundle)
#
# The target is a CPython 3.12 environment that already has torch (with
# CUDA), torchvision, numpy, scipy, matplotlib, opencv, pandas, rich,
# cython and onnx, but none of the OpenMMLab stack. This script runs where
# the package index is reachable and writes into BUNDLE_DIR:
#
# - wheels/: pure-Python and cp312 manylinux wheels of the OpenMMLab stack
#   and of what it imports that such an image lacks (installed there with
#   `pip install --no-index --no-deps --target`);
# - src/: the source archives that must be compiled against the target's
#   own torch and numpy (mmcv 2.1.0 with its CPU ops, xtcocotools), which
#   multikd_lab/tools/gpu/install_bundle.sh builds there;
# - prebuilt/: wheels built on an earlier run of install_bundle.sh on the
#   same kind of machine (copied from $MULTIKD_GPU_WHEEL_CACHE when
#   present), so that a second run skips the compilation.
#
# The versions are the pins of requirements/constraints/default.txt.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)"
BUNDLE="${1:-$ROOT/.gpu_bundle}"
CACHE="${MULTIKD_GPU_WHEEL_CACHE:-$HOME/.cache/mmpose-multikd/gpu-wheels}"
DEFAULT_PYTHON=python3
[[ -x "$ROOT/.venv/bin/python" ]] && DEFAULT_PYTHON="$ROOT/.venv/bin/python"
PYTHON="${PYTHON:-$DEFAULT_PYTHON}"
PY_VERSION="${GPU_PYTHON_VERSION:-3.12}"
REQ="$ROOT/requirements/constraints/default.txt"

pin() { grep "^$1==" "$REQ" | head -n1; }

# Pure-Python or binary wheels, without dependencies: each needed one is
# listed. mmcv's, mmengine's and mmpose's real imports on top of the image.
WHEELS=(
  "$(pin mmengine)" "$(pin mmpose)" "$(pin mmdet)"
  addict yapf platformdirs termcolor json_tricks munkres terminaltables
  shapely pycocotools 'setuptools<81'
)
SOURCES=("$(pin mmcv)" "$(pin xtcocotools)")

mkdir -p "$BUNDLE/wheels" "$BUNDLE/src" "$BUNDLE/prebuilt"
PIP=("$PYTHON" -m pip --disable-pip-version-check)
PLATFORMS=()
for tag in manylinux_2_28_x86_64 manylinux_2_27_x86_64 \
  manylinux_2_17_x86_64 manylinux2014_x86_64 manylinux1_x86_64; do
  PLATFORMS+=(--platform "$tag")
done
"${PIP[@]}" download -q --no-deps --only-binary=:all: \
  --python-version "$PY_VERSION" --implementation cp "${PLATFORMS[@]}" \
  -d "$BUNDLE/wheels" "${WHEELS[@]}"
"${PIP[@]}" download -q --no-deps --no-binary=:all: --no-build-isolation \
  -d "$BUNDLE/src" "${SOURCES[@]}"
if compgen -G "$CACHE/*.whl" >/dev/null; then
  cp "$CACHE"/*.whl "$BUNDLE/prebuilt/"
fi
echo "[prepare_bundle] $(du -sh "$BUNDLE" | cut -f1) in $BUNDLE:"
ls "$BUNDLE"/wheels "$BUNDLE"/src "$BUNDLE"/prebuilt
