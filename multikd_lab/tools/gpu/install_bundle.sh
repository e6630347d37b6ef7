#!/usr/bin/env bash
# Install the bundle of multikd_lab/tools/gpu/prepare_bundle.sh on a machine without
# network, into a separate folder that is put first on PYTHONPATH:
#
#   source <(bash multikd_lab/tools/gpu/install_bundle.sh BUNDLE_DIR SITE_DIR [BUILT_DIR])
#
# prints the `export PYTHONPATH=...` line to evaluate. mmcv 2.1.0 (with its
# CPU ops: `import mmpose.models` needs `mmcv.ops`, the distiller needs no
# mmcv CUDA op) and xtcocotools are compiled here against this machine's
# torch and numpy, unless BUNDLE_DIR/prebuilt holds wheels of them built on
# an earlier run; freshly built wheels are copied to BUILT_DIR so that they
# can travel back. mmcv is built with the GPU hidden (CUDA_VISIBLE_DEVICES
# empty: CPU ops only, minutes instead of far longer), without debug
# information, and with its C++ standard raised to C++20 (torch 2.14's
# headers need it; older ones accept it).
set -euo pipefail
BUNDLE="$1"
SITE="$2"
BUILT="${3:-}"
PYTHON="${PYTHON:-python3}"
PIP=("$PYTHON" -m pip --disable-pip-version-check -q)
log() { printf '[install_bundle] %s\n' "$*" >&2; }

mkdir -p "$SITE"
start=$(date +%s)
"${PIP[@]}" install --no-index --no-deps --no-compile --no-cache-dir \
  --upgrade --target "$SITE" "$BUNDLE"/wheels/*.whl >&2
export PYTHONPATH="$SITE${PYTHONPATH:+:$PYTHONPATH}"
log "wheels in $(( $(date +%s) - start )) s"

build() {  # name: a source archive of BUNDLE/src, built unless prebuilt
  local name="$1" wheel
  wheel="$(ls "$BUNDLE"/prebuilt/"$name"-*.whl 2>/dev/null | head -n1 || true)"
  if [[ -z "$wheel" ]]; then
    local t0 src archive
    t0=$(date +%s)
    src="$(mktemp -d)"
    archive="$(ls "$BUNDLE"/src/"$name"-*.tar.gz | head -n1)"
    tar -xzf "$archive" -C "$src"
    local dir
    dir="$(ls -d "$src"/"$name"-*/ | head -n1)"
    if [[ "$name" == mmcv ]]; then
      sed -i -e 's/-std=c++14/-std=c++20/g' -e 's/-std=c++17/-std=c++20/g' \
        "$dir/setup.py"
    fi
    CUDA_VISIBLE_DEVICES="" MMCV_WITH_OPS=1 FORCE_CUDA=0 \
      MAX_JOBS="${MAX_JOBS:-$(nproc)}" CFLAGS="-g0" CXXFLAGS="-g0" \
      "${PIP[@]}" wheel --no-deps --no-build-isolation -w "$src/dist" \
      "$dir" >&2
    wheel="$(ls "$src"/dist/*.whl | head -n1)"
    log "$name built in $(( $(date +%s) - t0 )) s"
    if [[ -n "$BUILT" ]]; then
      mkdir -p "$BUILT"
      cp "$wheel" "$BUILT/"
    fi
  else
    log "$name: prebuilt $(basename "$wheel")"
  fi
  "${PIP[@]}" install --no-index --no-deps --no-compile --upgrade \
    --target "$SITE" "$wheel" >&2
}

build xtcocotools
build mmcv
"$PYTHON" -c 'import mmcv.ops, mmpose.models, mmdet; print("ok")' >&2
log "done in $(( $(date +%s) - start )) s"
echo "export PYTHONPATH=$SITE\${PYTHONPATH:+:\$PYTHONPATH}"
