#!/usr/bin/env bash
# Benchmark of the service's limits on what it sends to Genesys (orchestrator.limits.*, AIMD on 429s): starts a Genesys
# stand-in (bench/limits-stub.mjs) and the packaged service on free loopback ports, drives each scenario with
# bench/limits.mjs, stops everything it started and prints one Markdown table of measured figures against the goals.
#
#   bench/limits.sh [--jar PATH] [--only SCENARIO[,SCENARIO...]] [--db NAME] [--service-option OPT]
#
#   --jar PATH   the packaged service (default: target/quarkus-app/quarkus-run.jar of this repository; also LIMITS_JAR)
#   --only       a subset of: backlog, rate-limited, cpu (default: all three)
#   --db NAME    PostgreSQL database of scenario 1, dropped and created afresh on every run (default bench_limits;
#                also LIMITS_DB). The server is LIMITS_DB_HOST (127.0.0.1), port 5432, user LIMITS_DB_USER (postgres).
#   --service-option OPT   one more option for every service (repeatable), after the scenario's own, which it overrides:
#                such as -Dorchestrator.postgres.claim-batch=50
#
# Scenarios (bench/README.md's conventions: every figure is measured, the table says PASS or MISS against the goal):
#   backlog       two replicas on one PostgreSQL database, max-concurrent 10 and max-per-second 100 for the cluster.
#                 3,000 retries of one action are submitted while the stand-in answers 503; 5 s later it answers 200.
#                 Goals: at most 10 attempts in flight at once and 105 started in any one-second window; all 3,000
#                 SUCCEEDED within 33 s of the recovery.
#   rate-limited  one replica (memory store), limits out of the way (max-concurrent 50, no max-per-second); the
#                 stand-in answers 429 with Retry-After: 1 to a request that arrives when 50 requests were let through
#                 in the second before it (a sliding window), else 200 after 5 ms. 1,500 retries (30 s at 50/s).
#                 Goals, from 5 s after the first request: at most 50 requests in any one-second window, fewer than
#                 5 % of the attempts answered 429.
#   cpu           the service's CPU time per retry (/proc/<pid>/stat) for 5,000 retries answered 200 at once, base
#                 delay 1 ms, median of 5 runs after 3 warm-up runs; with the default limit (max-concurrent 10) and
#                 with it out of the way (max-concurrent 100000), two services side by side taking turns. No goal: the
#                 two are compared.
#
# Everything it writes goes to bench/results/limits-<timestamp>/: the services' and the stand-in's logs, the stand-in's
# request logs, one JSON line per scenario (results.jsonl) and the table (table.md).
set -euo pipefail

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=lib/common.sh
source "$BENCH_DIR/lib/common.sh"
ROOT=$(cd "$BENCH_DIR/.." && pwd)
COMMAND="bench/limits.sh${*:+ $*}"

JAR=${LIMITS_JAR:-$ROOT/target/quarkus-app/quarkus-run.jar}
ONLY="backlog,rate-limited,cpu"
DB=${LIMITS_DB:-bench_limits}
DB_HOST=${LIMITS_DB_HOST:-127.0.0.1}
DB_USER=${LIMITS_DB_USER:-postgres}
SERVICE_OPTIONS=()
while [ $# -gt 0 ]; do
  case "$1" in
    --jar) JAR=${2:?--jar needs a path}; shift ;;
    --only) ONLY=${2:?--only needs scenario names}; shift ;;
    --db) DB=${2:?--db needs a database name}; shift ;;
    --service-option) SERVICE_OPTIONS+=("${2:?--service-option needs an option}"); shift ;;
    -h|--help) awk 'NR > 1 && /^#/ { print; next } NR > 1 { exit }' "$0"; exit 0 ;;
    *) echo "unknown option: $1" >&2; exit 2 ;;
  esac
  shift
done
case "$DB" in test|test_replicas|postgres|template0|template1) echo "--db $DB: choose a database of its own" >&2; exit 2 ;; esac
wants() { [[ ",$ONLY," == *",$1,"* ]]; }

# ---------------------------------------------------------------------------------------------------------------------
# Tools: a JDK (JAVA_HOME, else a JDK 25 under /usr/lib/jvm, else java on PATH), Node.js, curl; psql for scenario 1
# ---------------------------------------------------------------------------------------------------------------------
bench_find_jdk
command -v node >/dev/null || { echo "node (Node.js 18 or later) is required" >&2; exit 1; }
command -v curl >/dev/null || { echo "curl is required" >&2; exit 1; }
if wants backlog; then
  for tool in psql createdb dropdb; do command -v $tool >/dev/null || { echo "$tool is required (scenario backlog)" >&2; exit 1; }; done
fi
[ -f "$JAR" ] || { echo "no service at $JAR: build it (./mvnw -B -q package -DskipTests) or pass --jar" >&2; exit 1; }
CLK_TCK=$(getconf CLK_TCK)

OUT=$BENCH_DIR/results/limits-$(date +%Y%m%d-%H%M%S)
mkdir -p "$OUT"
RESULTS=$OUT/results.jsonl
: >"$RESULTS"

# ---------------------------------------------------------------------------------------------------------------------
# Processes: everything started here is stopped on exit, whatever the exit
# ---------------------------------------------------------------------------------------------------------------------
SERVICE_PIDS=()
SERVICE_URLS=()
STUB_PID=""
DRIVER_PID=""

stop_services() {
  local pid
  for pid in "${SERVICE_PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done # all at once, then wait for each
  for pid in "${SERVICE_PIDS[@]}"; do stop_pid "$pid" 15; done
  SERVICE_PIDS=()
  SERVICE_URLS=()
}
stop_stub() { stop_pid "$STUB_PID" 5; STUB_PID=""; }
cleanup() { stop_pid "$DRIVER_PID" 5; DRIVER_PID=""; stop_services; stop_stub; }
bench_traps

# start_stub NAME [stand-in arguments...]: sets STUB_URLS (one URL per --listeners port)
start_stub() {
  local name=$1 port; shift
  start_node_stub "$BENCH_DIR/limits-stub.mjs" "$OUT/stub-$name.log" "$OUT/stub-$name.port" \
    --client-id bench --client-secret bench-secret "$@" || return 1
  STUB_URLS=()
  for port in $(tr ',' ' ' <"$OUT/stub-$name.port"); do STUB_URLS+=("http://127.0.0.1:$port"); done
}

# launch_service LOGNAME GENESYS_URL [-Dkey=value...]: starts one service in the background (environment from
# SERVICE_ENV) and adds it to SERVICE_PIDS / SERVICE_URLS; wait_ready checks them all.
SERVICE_ENV=()
launch_service() {
  local name=$1 genesys=$2 port; shift 2
  port=$(free_port)
  env "${SERVICE_ENV[@]}" \
    GENESYS_BASE_URL="$genesys" GENESYS_CLIENT_ID=bench GENESYS_CLIENT_SECRET=bench-secret ORCHESTRATOR_API_KEYS=bench-key \
    "$JAVA" -Dquarkus.http.host=127.0.0.1 -Dquarkus.http.port="$port" -Dgenesys.login-url="$genesys" \
    -Dquarkus.shutdown.delay=0s -Dquarkus.shutdown.timeout=5s \
    "$@" "${SERVICE_OPTIONS[@]}" -jar "$JAR" >"$OUT/service-$name.log" 2>&1 &
  SERVICE_PIDS+=($!)
  SERVICE_URLS+=("http://127.0.0.1:$port")
}
START_ERROR=""
wait_ready() { # every launched service answers /q/health/ready with 200 within 120 s
  local k
  START_ERROR=""
  for k in "${!SERVICE_PIDS[@]}"; do
    wait_service_ready "${SERVICE_PIDS[$k]}" "${SERVICE_URLS[$k]}" && continue
    echo "a service did not become ready within 120 s (see $OUT/service-*.log)" >&2
    # the first configuration error it logged, if any, becomes the reason in the table
    START_ERROR=$(grep -m 1 -ho 'SRCFG[0-9]*: [^"\\]*' "$OUT"/service-*.log 2>/dev/null || true)
    return 1
  done
}

failed() { # failed SCENARIO REASON
  printf '{"scenario":"%s","ok":false,"error":"%s"}\n' "$1" "$2" >>"$RESULTS"
}

drive() { # drive SCENARIO [driver arguments...]: one run of the driver, bounded to 5 minutes
  local scenario=$1 rc=0; shift
  timeout 300 node "$BENCH_DIR/limits.mjs" "$scenario" --stub "${STUB_URLS[0]}" --services "$(IFS=,; echo "${SERVICE_URLS[*]}")" \
    --out "$OUT" --clk-tck "$CLK_TCK" "$@" >>"$RESULTS" 2>>"$OUT/driver.log" &
  DRIVER_PID=$!
  wait "$DRIVER_PID" || rc=$?
  DRIVER_PID=""
  if [ "$rc" != 0 ]; then
    tail -n 1 "$RESULTS" | grep -q "\"scenario\":\"$scenario\"" || failed "$scenario" "the driver did not finish within 300 s"
    echo "  $scenario failed: $(tail -n 1 "$RESULTS")" >&2
  fi
}

START_LOAD=$(cut -d ' ' -f 1-3 /proc/loadavg)

# ---------------------------------------------------------------------------------------------------------------------
# 1. Backlog after an outage: two replicas, one database, cluster-wide max-concurrent 10 and max-per-second 100
# ---------------------------------------------------------------------------------------------------------------------
if wants backlog; then
  echo "scenario backlog: a fresh database $DB, the stand-in answering 503, two replicas" >&2
  # a fresh database, so that no retry of an earlier run is in the backlog (the service migrates it at start-up)
  dropdb -h "$DB_HOST" -U "$DB_USER" --if-exists "$DB"
  createdb -h "$DB_HOST" -U "$DB_USER" "$DB"
  # one stand-in port per replica, so that its log tells which replica sent each request; 20 ms per answer, so that
  # ten in flight could carry 500 requests a second and the per-second limit is the one that binds
  if start_stub backlog --listeners 2 --status 503 --latency-ms 20; then
    SERVICE_ENV=(ORCHESTRATOR_STORE=postgres ORCHESTRATOR_DB_URL="postgresql://$DB_HOST:5432/$DB" QUARKUS_DATASOURCE_USERNAME="$DB_USER")
    # Retries outlast the outage (20 attempts, 5 m, waits of 1 s up to 5 s). Each replica drives up to 200 at once;
    # the rest of the 3,000 wait in the database's backlog and are claimed once a second, up to 200 at a time (the
    # default 50 would be exactly a replica's share of the 100/s, so any gap in claiming would show in the drain).
    # An action's breaker, opened by the 503s, holds its retries for 2 s at a time.
    for replica in a b; do
      launch_service "backlog-$replica" "${STUB_URLS[$([ $replica = a ] && echo 0 || echo 1)]}" \
        -Dorchestrator.limits.max-concurrent=10 -Dorchestrator.limits.max-per-second=100 \
        -Dorchestrator.retry.max-attempts=20 -Dorchestrator.retry.max-duration=5m \
        -Dorchestrator.retry.base-delay=1s -Dorchestrator.retry.max-delay=5s \
        -Dorchestrator.queue.max-depth=200 -Dorchestrator.queue.max-backlog=10000 \
        -Dorchestrator.postgres.claim-batch=200 \
        -Dorchestrator.circuit-breaker.reset-delay=2s
    done
    SERVICE_ENV=()
    if wait_ready; then
      drive backlog --count 3000 --outage-after-s 5 --db-name "$DB" --db-host "$DB_HOST" --db-user "$DB_USER"
    else
      failed backlog "the replicas did not start${START_ERROR:+: $START_ERROR}"
    fi
  else
    failed backlog "the stand-in did not start"
  fi
  stop_services
  stop_stub
fi

# ---------------------------------------------------------------------------------------------------------------------
# 2. A rate-limited org: 429 with Retry-After: 1 beyond 50 requests in any second; one replica, limits out of the way
# ---------------------------------------------------------------------------------------------------------------------
if wants rate-limited; then
  echo "scenario rate-limited: the stand-in lets 50 requests a second through; one replica" >&2
  if start_stub rate-limited --rate-limit 50 --retry-after 1 --latency-ms 5; then
    # max-concurrent 50 and no per-second limit: only the service's reaction to 429s paces it. Enough attempts and
    # time that no retry runs out while it is rate-limited; the breaker is out of the way (it would count the 429s).
    launch_service rate-limited "${STUB_URLS[0]}" \
      -Dorchestrator.limits.max-concurrent=50 \
      -Dorchestrator.retry.max-attempts=100 -Dorchestrator.retry.max-duration=5m \
      -Dorchestrator.queue.max-depth=5000 \
      -Dorchestrator.circuit-breaker.failure-threshold=1000000
    if wait_ready; then
      drive rate-limited --count 1500 --rate-limit 50 --timeout-s 120
    else
      failed rate-limited "the service did not start${START_ERROR:+: $START_ERROR}"
    fi
  else
    failed rate-limited "the stand-in did not start"
  fi
  stop_services
  stop_stub
fi

# ---------------------------------------------------------------------------------------------------------------------
# 3. CPU per retry with the limiter out of the way and in the way: every attempt answered 200 at once, base delay 1 ms.
#    Both services run side by side and take turns, so that other work on the machine weighs on each alike.
# ---------------------------------------------------------------------------------------------------------------------
if wants cpu; then
  echo "scenario cpu: one service without the limiter in the way, one with it" >&2
  if start_stub cpu --listeners 2 --status 200; then
    for label in without with; do
      limit=()
      [ "$label" = without ] && limit=(-Dorchestrator.limits.max-concurrent=100000) # "with": the default, 10
      launch_service "cpu-$label" "${STUB_URLS[$([ $label = without ] && echo 0 || echo 1)]}" "${limit[@]}" \
        -Dorchestrator.retry.base-delay=1ms -Dorchestrator.queue.max-depth=30000 \
        -Dorchestrator.circuit-breaker.failure-threshold=1000000
    done
    if wait_ready; then
      drive cpu --labels without,with --service-pids "$(IFS=,; echo "${SERVICE_PIDS[*]}")" --count 5000 --warmups 3 --runs 5
    else
      failed cpu "the services did not start${START_ERROR:+: $START_ERROR}"
    fi
  else
    failed cpu "the stand-in did not start"
  fi
  stop_services
  stop_stub
fi

END_LOAD=$(cut -d ' ' -f 1-3 /proc/loadavg)

# ---------------------------------------------------------------------------------------------------------------------
# The table
# ---------------------------------------------------------------------------------------------------------------------
bench_table "Limits benchmark" limits.mjs
cat "$OUT/table.md"
echo >&2
echo "logs and raw results: $OUT" >&2
