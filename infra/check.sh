#!/usr/bin/env bash
# Lints infra/template.yaml with cfn-lint (which applies the SAM transform).
# Uses an existing Python venv at $VENV (default: .venv at the repository root)
# that has cfn-lint installed, e.g.
#   python3 -m venv .venv && .venv/bin/pip install cfn-lint==1.58.0
# cfn-lint misses some typos (e.g. ReportBatchItemFailure, an unknown runtime),
# so tests/tests/infra_template.rs asserts those values separately.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
VENV="${VENV:-$ROOT/.venv}"

if [[ ! -x "$VENV/bin/cfn-lint" ]]; then
  echo "cfn-lint not found at $VENV/bin/cfn-lint; run: python3 -m venv $VENV && $VENV/bin/pip install cfn-lint==1.58.0" >&2
  exit 2
fi

echo "==> $("$VENV/bin/cfn-lint" --version) infra/template.yaml"
"$VENV/bin/cfn-lint" infra/template.yaml
echo "==> cfn-lint: no errors or warnings"
