#!/usr/bin/env bash
# Console benchmark: how fast the operator console's pages answer with 10,000 retries stored, in the memory store and
# in PostgreSQL. For each store: starts the Genesys stand-in (bench/stub.js, answering each retry by the script in its
# payload) and the packaged service, fills it with retries through POST /v1/retries/batch, waits until none is
# PENDING or IN_FLIGHT, signs in to the console and times each page (bench/console.mjs); stops everything it started
# and prints one Markdown table per store. A benchmark, not a test: it reports PASS or MISS against 100 ms at the p95.
#
#   bench/console.sh [--only memory,postgres] [--count 10000] [--runs 50] [--warmups 20] [--db bench_console]
#                    [--no-analyze] [--jar PATH] [--service-option OPT]
#
#   --only     the stores, in order: memory, postgres (default both)
#   --count    retries stored (default 10000), on 10 actions
#   --runs     timed requests per page (default 50), after --warmups untimed ones (default 20)
#   --db NAME  the PostgreSQL database, dropped and created afresh on every run (default bench_console); the server is
#              CONSOLE_DB_HOST (127.0.0.1), port 5432, user CONSOLE_DB_USER (postgres), no password
#   --no-analyze  PostgreSQL: measure without planner statistics unless autovacuum gathered them. By default the
#              benchmark runs ANALYZE on the retries table once the retries have settled, as autovacuum would soon after
#              such a load (where it is on): without statistics, a listing's plan reads every row
#   --jar PATH the packaged service (default target/quarkus-app/quarkus-run.jar, built when missing)
#   --service-option OPT   one more option for every service (repeatable), after the benchmark's own
#
# Everything it writes goes to bench/results/console-<timestamp>/: the service's and the stand-in's logs, one JSON line
# per store (results.jsonl) and the tables (table.md).
set -euo pipefail

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=lib/common.sh
source "$BENCH_DIR/lib/common.sh"
ROOT=$(cd "$BENCH_DIR/.." && pwd)
COMMAND="bench/console.sh${*:+ $*}"

JAR=$ROOT/target/quarkus-app/quarkus-run.jar
ONLY="memory,postgres"
COUNT=10000
RUNS=50
WARMUPS=20
DB=bench_console
DB_HOST=${CONSOLE_DB_HOST:-127.0.0.1}
DB_USER=${CONSOLE_DB_USER:-postgres}
ANALYZE=1
SERVICE_OPTIONS=()
while [ $# -gt 0 ]; do
  case "$1" in
    --only) ONLY=${2:?--only needs store names}; shift ;;
    --count) COUNT=${2:?--count needs a number}; shift ;;
    --runs) RUNS=${2:?--runs needs a number}; shift ;;
    --warmups) WARMUPS=${2:?--warmups needs a number}; shift ;;
    --db) DB=${2:?--db needs a database name}; shift ;;
    --no-analyze) ANALYZE=0 ;;
    --jar) JAR=${2:?--jar needs a path}; shift ;;
    --service-option) SERVICE_OPTIONS+=("${2:?--service-option needs an option}"); shift ;;
    -h|--help) awk 'NR > 1 && /^#/ { print; next } NR > 1 { exit }' "$0"; exit 0 ;;
    *) echo "unknown option: $1" >&2; exit 2 ;;
  esac
  shift
done
for n in "$COUNT" "$RUNS" "$WARMUPS"; do
  case "$n" in ''|*[!0-9]*) echo "--count, --runs and --warmups take whole numbers" >&2; exit 2 ;; esac
done
case "$DB" in test|test_*|postgres|template0|template1) echo "--db $DB: choose a database of its own" >&2; exit 2 ;; esac
ROOM=$((COUNT * 2 > 20000 ? COUNT * 2 : 20000)) # queue, backlog and retention hold every retry
wants() { [[ ",$ONLY," == *",$1,"* ]]; }

# ---------------------------------------------------------------------------------------------------------------------
# Tools: a JDK, Node.js, curl; psql's createdb and dropdb for the PostgreSQL store
# ---------------------------------------------------------------------------------------------------------------------
bench_find_jdk
command -v node >/dev/null || { echo "node (Node.js 18 or later) is required" >&2; exit 1; }
command -v curl >/dev/null || { echo "curl is required" >&2; exit 1; }
if wants postgres; then
  for tool in psql createdb dropdb; do command -v $tool >/dev/null || { echo "$tool is required (store postgres)" >&2; exit 1; }; done
fi
if [ ! -f "$JAR" ]; then
  [ "$JAR" = "$ROOT/target/quarkus-app/quarkus-run.jar" ] || { echo "no service at $JAR" >&2; exit 1; }
  echo "building the service (target/quarkus-app/quarkus-run.jar is missing)..." >&2
  (cd "$ROOT" && ./mvnw -B -q package -DskipTests)
fi

OUT=$BENCH_DIR/results/console-$(date +%Y%m%d-%H%M%S)
mkdir -p "$OUT"
RESULTS=$OUT/results.jsonl
: >"$RESULTS"

# ---------------------------------------------------------------------------------------------------------------------
# Processes: everything started here is stopped on exit, whatever the exit
# ---------------------------------------------------------------------------------------------------------------------
SERVICE_PID=""
STUB_PID=""
DRIVER_PID=""
stop_service() { stop_pid "$SERVICE_PID" 15; SERVICE_PID=""; }
stop_stub() { stop_pid "$STUB_PID" 5; STUB_PID=""; }
cleanup() { stop_pid "$DRIVER_PID" 5; DRIVER_PID=""; stop_service; stop_stub; }
bench_traps

failed() { # failed STORE REASON
  printf '{"store":"%s","ok":false,"error":"%s"}\n' "$1" "$2" >>"$RESULTS"
}

# bench STORE [-Dkey=value...]: one store, from a fresh stand-in and service to its JSON line
bench() {
  local store=$1 port url rc=0 database=(); shift
  [ "$store" = postgres ] && database=(--db-name "$DB" --db-host "$DB_HOST" --db-user "$DB_USER" --analyze "$ANALYZE")
  echo "store $store: the stand-in, the service, $COUNT retries, then the pages" >&2
  if ! start_node_stub "$BENCH_DIR/stub.js" "$OUT/stub-$store.log" "$OUT/stub-$store.port" \
    --script-field stubScript --client-id bench --client-secret bench-secret; then
    failed "$store" "the stand-in did not start"
    return
  fi
  local stub=http://127.0.0.1:$(cat "$OUT/stub-$store.port")
  port=$(free_port)
  url=http://127.0.0.1:$port
  # Room for every retry (queue, backlog, retention); 2 attempts 50 ms apart, so that the retries that keep failing
  # are EXHAUSTED quickly; breakers out of the way, so that every failure keeps the code the stand-in sent.
  GENESYS_BASE_URL=$stub GENESYS_CLIENT_ID=bench GENESYS_CLIENT_SECRET=bench-secret \
    "$JAVA" -Dquarkus.http.host=127.0.0.1 -Dquarkus.http.port="$port" -Dgenesys.login-url="$stub" \
    -Dorchestrator.api-keys=ops:operator=bench-key \
    -Dorchestrator.queue.max-depth="$ROOM" -Dorchestrator.queue.max-backlog="$ROOM" \
    -Dorchestrator.retention-max-records="$ROOM" \
    -Dorchestrator.retry.max-attempts=2 -Dorchestrator.retry.base-delay=50ms \
    -Dorchestrator.circuit-breaker.failure-threshold=1000000 \
    -Dquarkus.shutdown.delay=0s -Dquarkus.shutdown.timeout=5s \
    "$@" "${SERVICE_OPTIONS[@]}" -jar "$JAR" >"$OUT/service-$store.log" 2>&1 &
  SERVICE_PID=$!
  if wait_service_ready "$SERVICE_PID" "$url"; then
    timeout 900 node "$BENCH_DIR/console.mjs" run --service "$url" --service-pid "$SERVICE_PID" --store "$store" \
      --count "$COUNT" --runs "$RUNS" --warmups "$WARMUPS" --api-key bench-key --clk-tck "$(getconf CLK_TCK)" \
      "${database[@]}" >>"$RESULTS" 2>>"$OUT/driver.log" &
    DRIVER_PID=$!
    wait "$DRIVER_PID" || rc=$?
    DRIVER_PID=""
    if [ "$rc" != 0 ]; then
      tail -n 1 "$RESULTS" | grep -q "\"store\":\"$store\"" || failed "$store" "the driver did not finish within 900 s"
      echo "  $store failed: $(tail -n 1 "$RESULTS")" >&2
    fi
  else
    echo "the service did not become ready within 120 s (see $OUT/service-$store.log)" >&2
    failed "$store" "the service did not start"
  fi
  stop_service
  stop_stub
}

START_LOAD=$(cut -d ' ' -f 1-3 /proc/loadavg)
if wants memory; then
  bench memory
fi
if wants postgres; then
  # a fresh database: nothing of an earlier run is counted (the service migrates it at start-up)
  dropdb -h "$DB_HOST" -U "$DB_USER" --if-exists "$DB"
  createdb -h "$DB_HOST" -U "$DB_USER" "$DB"
  ORCHESTRATOR_DB_URL="postgresql://$DB_HOST:5432/$DB" QUARKUS_DATASOURCE_USERNAME="$DB_USER" \
    bench postgres -Dorchestrator.store=postgres
fi
END_LOAD=$(cut -d ' ' -f 1-3 /proc/loadavg)

# ---------------------------------------------------------------------------------------------------------------------
# The tables
# ---------------------------------------------------------------------------------------------------------------------
bench_table "Console benchmark" console.mjs
cat "$OUT/table.md"
echo >&2
echo "logs and raw results: $OUT" >&2
