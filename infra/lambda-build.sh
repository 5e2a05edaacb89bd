#!/usr/bin/env bash
# Builds every Lambda function (one package per directory under functions/,
# each with one bin of the same name) for arm64 with cargo-lambda, and prints
# each bootstrap's size.
#
#   bash infra/lambda-build.sh            # target/lambda/<fn>/bootstrap
#   ZIP=1 bash infra/lambda-build.sh      # also target/lambda/<fn>/bootstrap.zip
#
# cargo-lambda comes from PyPI, which also brings zig (the cross-linker), into
# target/venv-lambda (already git-ignored). The first run needs network access
# for pip, crates.io and rustup: cargo-lambda installs the
# aarch64-unknown-linux-gnu target itself when it is missing.
# Takes 6-15 minutes cold on 2 cores (15 min on a shared machine, see
# BENCHMARKS.md); seconds when cached.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

CARGO_LAMBDA_VERSION="1.9.2"
VENV="${LAMBDA_VENV:-$ROOT/target/venv-lambda}"

if ! "$VENV/bin/cargo-lambda" lambda --version 2>/dev/null | grep -q "cargo-lambda $CARGO_LAMBDA_VERSION"; then
  echo "==> installing cargo-lambda $CARGO_LAMBDA_VERSION (+ ziglang) into $VENV"
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check "cargo-lambda==$CARGO_LAMBDA_VERSION"
fi
# cargo-lambda finds zig through `python3 -m ziglang`, so the venv must be first on PATH.
export PATH="$VENV/bin:$PATH"

FUNCTIONS=()
for manifest in functions/*/Cargo.toml; do
  FUNCTIONS+=("$(basename "$(dirname "$manifest")")")
done
PKG_ARGS=()
for f in "${FUNCTIONS[@]}"; do PKG_ARGS+=(-p "$f"); done

echo "==> cargo lambda build --release --arm64 ${PKG_ARGS[*]}"
start=$(date +%s)
cargo lambda build --release --arm64 "${PKG_ARGS[@]}"
echo "==> built in $(($(date +%s) - start)) s"

if [[ "${ZIP:-0}" == "1" ]]; then
  echo "==> cargo lambda build --release --arm64 --output-format zip ${PKG_ARGS[*]}"
  cargo lambda build --release --arm64 --output-format zip "${PKG_ARGS[@]}"
fi

printf '%-20s %12s %8s %12s %8s\n' function bootstrap MB zip MB
for f in "${FUNCTIONS[@]}"; do
  bin="target/lambda/$f/bootstrap"
  if [[ ! -f "$bin" ]]; then
    echo "missing $bin" >&2
    exit 1
  fi
  size=$(stat -c %s "$bin")
  zsize="-"
  zmb="-"
  if [[ -f "$bin.zip" ]]; then
    zsize=$(stat -c %s "$bin.zip")
    zmb=$(awk "BEGIN{printf \"%.1f\", $zsize/1000000}")
  fi
  printf '%-20s %12s %8s %12s %8s\n' "$f" "$size" "$(awk "BEGIN{printf \"%.1f\", $size/1000000}")" "$zsize" "$zmb"
done
