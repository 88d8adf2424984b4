#!/usr/bin/env bash
# Fuzzes the JSON API with Schemathesis against a real embedded stack, as CI does after `npm test`:
#   1. provisions Schemathesis (pinned below) into a venv of its own, .tools/schemathesis/;
#   2. starts `npm start` on free ports with a throwaway DATA_DIR and a known administrator token;
#   3. waits for /api/v1/health, seeds one of everything the paths name (scripts/schemathesis-seed.ts);
#   4. runs Schemathesis on /api/v1/openapi.json with the token (its coverage phase, then
#      SCHEMATHESIS_EXAMPLES fuzzed examples per operation, default 10, then its stateful phase, on
#      SCHEMATHESIS_WORKERS workers, default 1: with several threads the tool's own generators at times
#      fail inside Python, an error of the tool, not the API; one worker takes about as long), and
#      stops the stack.
# Fails on any 5xx, any answer whose status, content type or body the OpenAPI document does not
# describe, a method the API should refuse with 405, invalid data accepted, or a workflow failure or
# unhandled error in the stack's log. Prints the figures: requests, 5xx, schema violations, other
# failures. Needs python3 with venv, and PyPI the first time. SCHEMATHESIS_REPORT_DIR keeps the
# reports (HAR of every request, JUnit) and the stack's log.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

SCHEMATHESIS_VERSION=4.32.5
EXAMPLES="${SCHEMATHESIS_EXAMPLES:-10}"
TOOLS_DIR="${FORMWORK_TOOLS_DIR:-.tools}"
VENV="$TOOLS_DIR/schemathesis"
CHECKS=not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance,response_headers_conformance,negative_data_rejection,unsupported_method,allow_header_conformance

if ! "$VENV/bin/schemathesis" --version 2> /dev/null | grep -qx "schemathesis, version $SCHEMATHESIS_VERSION"; then
  echo "Provisioning Schemathesis $SCHEMATHESIS_VERSION into $VENV"
  rm -rf "$VENV"
  python3 -m venv "$VENV"
  timeout 10m "$VENV/bin/pip" install --quiet --disable-pip-version-check "schemathesis==$SCHEMATHESIS_VERSION"
fi
"$VENV/bin/schemathesis" --version

work="$(mktemp -d "${TMPDIR:-/tmp}/formwork-schemathesis.XXXXXX")"
stack_pid=""
stop_stack() {
  if [[ -n "$stack_pid" ]]; then
    # SIGTERM to npm alone stops the app and its Temporal dev server (README "The two commands")
    kill -TERM "$stack_pid" 2> /dev/null || true
    for _ in $(seq 1 60); do kill -0 "$stack_pid" 2> /dev/null || break; sleep 0.5; done
    # whatever of its process group is still there (it was started with setsid) goes too
    kill -KILL -- "-$stack_pid" 2> /dev/null || true
  fi
  stack_pid=""
}
cleanup() {
  local status=$?
  stop_stack
  if ((status != 0)) && [[ -f "$work/stack.log" ]]; then
    echo "--- the stack's log (last 40 lines) ---"
    tail -n 40 "$work/stack.log"
  fi
  if [[ -n "${SCHEMATHESIS_REPORT_DIR:-}" && -f "$work/stack.log" ]]; then cp "$work/stack.log" "$SCHEMATHESIS_REPORT_DIR/stack.log"; fi
  rm -rf "$work"
  exit "$status"
}
trap cleanup EXIT

# chosen below the OS's ephemeral range, where the Temporal dev server's internal services cannot take them
read -r app_port temporal_port ui_port < <(node --import tsx -e '
  require("./scripts/temporal-dev-server.ts").findFreePorts(3).then((ports) => console.log(ports.join(" ")));')
token="$(node -e 'console.log(require("node:crypto").randomBytes(24).toString("base64url"))')"
url="http://127.0.0.1:$app_port"

echo "Starting the embedded stack on $url (Temporal on $temporal_port)"
# its own process group, so nothing it started can outlive the run
env -u DATABASE_URL -u TEMPORAL_ADDRESS -u SMTP_URL \
  DATA_DIR="$work/data" HOST=127.0.0.1 PORT="$app_port" PUBLIC_URL="$url" \
  TEMPORAL_PORT="$temporal_port" TEMPORAL_UI_PORT="$ui_port" \
  FORMWORK_ADMIN_TOKEN="$token" LOG_LEVEL=warn RATE_LIMIT_SCALE=100 \
  setsid npm start > "$work/stack.log" 2>&1 < /dev/null &
stack_pid=$!

node -e '
  const url = process.argv[1];
  const deadline = Date.now() + 180_000;
  (async () => {
    for (;;) {
      try { const r = await fetch(url); if (r.ok) return; } catch {}
      if (Date.now() > deadline) { console.error("the stack did not become healthy in 180 s"); process.exit(1); }
      await new Promise((r) => setTimeout(r, 500));
    }
  })();' "$url/api/v1/health"
echo "The stack is healthy."

npx tsx scripts/schemathesis-seed.ts "$url" "$token" "$work/schemathesis.toml"

started=$SECONDS
set +e
"$VENV/bin/schemathesis" --config-file "$work/schemathesis.toml" run "$url/api/v1/openapi.json" \
  --header "Authorization: Bearer $token" \
  --checks "$CHECKS" \
  --max-examples "$EXAMPLES" \
  --workers "${SCHEMATHESIS_WORKERS:-1}" \
  --request-timeout 30 \
  --suppress-health-check all \
  --report har,junit --report-dir "${SCHEMATHESIS_REPORT_DIR:-$work/report}" \
  --output-truncate true 2>&1 |
  # its closing rule ("=== 3 warnings in 54.99s ===") reads like a test runner's closing line; CI's
  # one closing line is the test summary printed after all phases, so this one is reworded
  sed -E 's/^=+ (.+) in ([0-9.]+)s =+$/schemathesis finished: \1, after \2 s/'
status=${PIPESTATUS[0]}
set -e
took=$((SECONDS - started))
report="${SCHEMATHESIS_REPORT_DIR:-$work/report}"

node -e '
  const fs = require("node:fs");
  const [harFile, junitFile, took] = process.argv.slice(1);
  const entries = fs.existsSync(harFile) ? JSON.parse(fs.readFileSync(harFile, "utf8")).log.entries : [];
  const serverErrors = entries.filter((e) => e.response.status >= 500).length;
  const junit = fs.existsSync(junitFile) ? fs.readFileSync(junitFile, "utf8") : "";
  // each failure is listed with its code: ST101-102 a 5xx, ST103-111 an answer the document does not describe
  const codes = [...junit.matchAll(/^- (ST\d{3}) /gm)].map((m) => Number(m[1].slice(2)));
  const schema = codes.filter((c) => c >= 103 && c <= 111).length;
  const other = codes.filter((c) => c > 111 || c < 101).length + (junit.match(/<error /g) ?? []).length;
  console.log(`schemathesis: ${entries.length} requests in ${took} s: ${serverErrors} answered 5xx, ${schema} schema violations, ${other} other failures or errors`);
' "$report/$(ls "$report" | grep -m1 '^har-' || echo none)" "$report/$(ls "$report" | grep -m1 '^junit-' || echo none)" "$took"

# a request may answer well and still leave a workflow failing or an error logged: those fail the run too
problems="$(grep -cE 'Workflow task failed|Workflow failed|unhandled error' "$work/stack.log" || true)"
if ((problems > 0)); then
  echo "The stack logged $problems workflow failures or unhandled errors during the run:"
  grep -E -A12 'Workflow task failed|Workflow failed|unhandled error' "$work/stack.log" | head -n 80
  status=1
fi

exit "$status"
