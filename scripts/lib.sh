# Shared helpers for scripts/test and scripts/demo. Sourced, not run.
# Installs the project's Python tools into ./.venv and runs moto_server on a
# free loopback port; everything is torn down when the calling script exits.

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${VENV:-$ROOT/.venv}"
MOTO_VERSION="5.2.5"
CFN_LINT_VERSION="1.58.0"

log() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

ensure_venv() {
  if [ ! -x "$VENV/bin/python" ]; then
    log "creating $VENV"
    python3 -m venv "$VENV"
  fi
  if ! "$VENV/bin/python" -c "import moto, cfnlint; assert moto.__version__ == '$MOTO_VERSION'" 2>/dev/null; then
    log "installing moto[server]==$MOTO_VERSION and cfn-lint==$CFN_LINT_VERSION from PyPI"
    "$VENV/bin/pip" install --quiet --disable-pip-version-check \
      "moto[server]==$MOTO_VERSION" "cfn-lint==$CFN_LINT_VERSION"
  fi
}

free_port() {
  "$VENV/bin/python" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

# Starts moto_server and exports AWS_ENDPOINT_URL / TNS_TEST_AWS_ENDPOINT and dummy credentials.
start_moto() {
  local port
  port="$(free_port)"
  mkdir -p "$ROOT/target"
  "$VENV/bin/moto_server" -H 127.0.0.1 -p "$port" >"$ROOT/target/moto.log" 2>&1 &
  MOTO_PID=$!
  trap 'kill $MOTO_PID 2>/dev/null || true' EXIT
  for _ in $(seq 1 100); do
    if "$VENV/bin/python" -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:$port/moto-api/')" 2>/dev/null; then
      export AWS_ENDPOINT_URL="http://127.0.0.1:$port"
      export TNS_TEST_AWS_ENDPOINT="$AWS_ENDPOINT_URL"
      export AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_REGION=us-east-1 AWS_DEFAULT_REGION=us-east-1
      log "moto_server $MOTO_VERSION on $AWS_ENDPOINT_URL (log: target/moto.log)"
      return 0
    fi
    sleep 0.2
  done
  echo "moto_server did not start; see target/moto.log" >&2
  exit 1
}

# Starts a second moto_server for SQS only and exports AWS_ENDPOINT_URL_SQS
# (the SDK's per-service endpoint override). Used by the benchmark: moto is
# single-threaded Python, and a FIFO ReceiveMessage over a deep queue costs it
# hundreds of ms that would otherwise stall every DynamoDB call behind it; on
# AWS the two are separate services anyway. Call after start_moto.
start_moto_sqs() {
  local port
  port="$(free_port)"
  "$VENV/bin/moto_server" -H 127.0.0.1 -p "$port" >"$ROOT/target/moto-sqs.log" 2>&1 &
  MOTO_SQS_PID=$!
  trap 'kill $MOTO_PID $MOTO_SQS_PID 2>/dev/null || true' EXIT
  for _ in $(seq 1 100); do
    if "$VENV/bin/python" -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:$port/moto-api/')" 2>/dev/null; then
      export AWS_ENDPOINT_URL_SQS="http://127.0.0.1:$port"
      log "moto_server for SQS on $AWS_ENDPOINT_URL_SQS (log: target/moto-sqs.log)"
      return 0
    fi
    sleep 0.2
  done
  echo "moto_server for SQS did not start; see target/moto-sqs.log" >&2
  exit 1
}

# The console's browser tests drive Debian's headless Chromium through
# chromedriver (WebDriver); install both from the distribution when missing.
ensure_chromium() {
  if [ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ]; then
    return 0
  fi
  log "installing chromium and chromium-driver (Debian packages)"
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium chromium-driver >/dev/null
}
