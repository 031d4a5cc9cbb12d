#!/usr/bin/env bash
# Benchmark of the retry orchestrator: builds the jar when it is missing, starts the Genesys stub and the service on
# free loopback ports, drives each scenario, stops everything it started and prints one Markdown table.
#
#   bench/run.sh [--quick] [--runs N] [--only SCENARIO[,SCENARIO...]] [--profile] [--service-option OPT] [--native]
#
#   --quick    one smaller run of each scenario, for trying the harness out (not for reporting)
#   --runs N   runs per scenario (default 3); the table shows the median
#   --only     a subset of: throughput, throughput-503, overhead, waiting, backoff, backoff-jitter
#   --throughput-delay D   base delay of scenario 1 (default 1ms, as the goal is defined); see bench/README.md
#   --profile  record a Java Flight Recording of the service in each scenario (results/<run>/<scenario>.jfr);
#              it costs CPU, so numbers taken with it are not comparable
#   --service-option OPT   one more option for every service instance (repeatable), such as -Xmn64m
#   --native   run the native executable (target/*-runner, built with ./mvnw package -Dnative when missing) instead
#              of the jar; scenario 3 (waiting) and --profile need the JVM's jcmd and are not available with it
#
# Everything it writes goes to bench/results/<timestamp>/: the service's and the stub's logs, one JSON line per run
# (results.jsonl) and the table (table.md).
set -euo pipefail

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=lib/common.sh
source "$BENCH_DIR/lib/common.sh"
ROOT=$(cd "$BENCH_DIR/.." && pwd)
COMMAND="bench/run.sh${*:+ $*}"

RUNS=3
QUICK=0
PROFILE=0
NATIVE=0
SERVICE_OPTIONS=()
THROUGHPUT_DELAY=1ms
ONLY=""
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) QUICK=1; RUNS=1 ;;
    --runs) RUNS=${2:?--runs needs a number}; shift ;;
    --only) ONLY=${2:?--only needs scenario names}; shift ;;
    --throughput-delay) THROUGHPUT_DELAY=${2:?--throughput-delay needs a duration such as 10ms}; shift ;;
    --profile) PROFILE=1 ;;
    --service-option) SERVICE_OPTIONS+=("${2:?--service-option needs an option}"); shift ;;
    --native) NATIVE=1 ;;
    -h|--help) sed -n '2,20p' "$0"; exit 0 ;;
    *) echo "unknown option: $1" >&2; exit 2 ;;
  esac
  shift
done
case "$RUNS" in ''|*[!0-9]*|0) echo "--runs needs a positive whole number" >&2; exit 2 ;; esac
if [ -z "$ONLY" ]; then
  ONLY="throughput,throughput-503,overhead,waiting,backoff,backoff-jitter"
  [ "$NATIVE" = 1 ] && ONLY="throughput,throughput-503,overhead,backoff,backoff-jitter"
fi
if [ "$NATIVE" = 1 ]; then
  [ "$PROFILE" = 1 ] && { echo "--profile records a Flight Recording of the JVM: not with --native" >&2; exit 2; }
  [[ ",$ONLY," == *",waiting,"* ]] && { echo "scenario waiting measures the heap with jcmd: not with --native" >&2; exit 2; }
fi

# ---------------------------------------------------------------------------------------------------------------------
# Tools: a JDK (JAVA_HOME, else a JDK 25 under /usr/lib/jvm, else java on PATH) and Node.js
# ---------------------------------------------------------------------------------------------------------------------
bench_find_jdk
JCMD=$JAVA_HOME/bin/jcmd
[ -x "$JCMD" ] || { echo "jcmd not found next to $JAVA (a JDK, not a JRE, is needed)" >&2; exit 1; }
command -v node >/dev/null || { echo "node (Node.js 18 or later) is required" >&2; exit 1; }
command -v curl >/dev/null || { echo "curl is required" >&2; exit 1; }
CLK_TCK=$(getconf CLK_TCK)

JAR=$ROOT/target/quarkus-app/quarkus-run.jar
RUNNER=""
if [ "$NATIVE" = 1 ]; then
  RUNNER=$(ls "$ROOT"/target/*-runner 2>/dev/null | head -n 1)
  if [ -z "$RUNNER" ]; then
    echo "building the native executable (target/*-runner is missing)..." >&2
    (cd "$ROOT" && ./mvnw -B -q package -Dnative -DskipTests)
    RUNNER=$(ls "$ROOT"/target/*-runner | head -n 1)
  fi
  JCMD="" # jcmd cannot attach to a native executable; the driver leaves the heap figures out
elif [ ! -f "$JAR" ]; then
  echo "building the service (target/quarkus-app/quarkus-run.jar is missing)..." >&2
  (cd "$ROOT" && ./mvnw -B -q package -DskipTests)
fi

OUT=$BENCH_DIR/results/$(date +%Y%m%d-%H%M%S)
mkdir -p "$OUT"
RESULTS=$OUT/results.jsonl
: >"$RESULTS"

# ---------------------------------------------------------------------------------------------------------------------
# Processes: everything started here is stopped on exit, whatever the exit
# ---------------------------------------------------------------------------------------------------------------------
SERVICE_PID=""
STUB_PID=""
DRIVER_PID=""

stop_service() { stop_pid "$SERVICE_PID" 30; SERVICE_PID=""; }
stop_stub() { stop_pid "$STUB_PID" 5; STUB_PID=""; }
cleanup() { stop_pid "$DRIVER_PID" 5; DRIVER_PID=""; stop_service; stop_stub; }
bench_traps

# start_stub NAME [stub arguments...]: sets STUB_URL
start_stub() {
  local name=$1; shift
  start_node_stub "$BENCH_DIR/stub.js" "$OUT/stub-$name.log" "$OUT/stub-$name.port" \
    --client-id bench --client-secret bench-secret "$@" || return 1
  STUB_URL=http://127.0.0.1:$(cat "$OUT/stub-$name.port")
}

# start_service LOGNAME [-Dkey=value...]: sets SERVICE_URL; fails when the service is not ready within 120 s
start_service() {
  local name=$1 port; shift
  port=$(free_port)
  local jfr=()
  [ "$PROFILE" = 1 ] && jfr=("-XX:StartFlightRecording=filename=$OUT/$name.jfr,settings=profile,dumponexit=true")
  # the jar runs on the JVM; the native executable takes the same -D settings
  local launch=("$JAVA" "${jfr[@]}") application=(-jar "$JAR")
  [ -n "$RUNNER" ] && launch=("$RUNNER") && application=()
  GENESYS_BASE_URL=$STUB_URL GENESYS_CLIENT_ID=bench GENESYS_CLIENT_SECRET=bench-secret ORCHESTRATOR_API_KEYS=bench-key \
    "${launch[@]}" \
    -Dquarkus.http.host=127.0.0.1 -Dquarkus.http.port="$port" \
    -Dgenesys.login-url="$STUB_URL" \
    -Dorchestrator.queue.max-depth=30000 \
    -Dorchestrator.circuit-breaker.failure-threshold=1000000 \
    -Dorchestrator.limits.max-concurrent=1000000 \
    -Dquarkus.shutdown.delay=0s -Dquarkus.shutdown.timeout=5s \
    "${SERVICE_OPTIONS[@]}" "$@" "${application[@]}" >"$OUT/service-$name.log" 2>&1 &
  SERVICE_PID=$!
  SERVICE_URL=http://127.0.0.1:$port
  SERVICE_LOG=$OUT/service-$name.log
  wait_service_ready "$SERVICE_PID" "$SERVICE_URL" && return 0
  echo "the service did not become ready within 120 s (see $OUT/service-$name.log)" >&2
  return 1
}

failed_run() { # failed_run SCENARIO RUN REASON
  printf '{"scenario":"%s","run":%s,"warmup":%s,"ok":false,"error":"%s"}\n' "$1" "$2" "$([ "$2" = 0 ] && echo true || echo false)" "$3" >>"$RESULTS"
}

drive() { # drive SCENARIO RUN [driver arguments...]; run 0 is an unreported warm-up
  local scenario=$1 run=$2 warmup=0; shift 2
  if [ "$run" = 0 ]; then warmup=1; echo "  $scenario warm-up..." >&2; else echo "  $scenario run $run/$RUNS..." >&2; fi
  timeout 900 node "$BENCH_DIR/driver.js" --scenario "$scenario" --run "$run" --quick "$QUICK" --warmup "$warmup" \
    --service "$SERVICE_URL" --stub "$STUB_URL" --service-pid "$SERVICE_PID" --stub-pid "$STUB_PID" \
    --service-log "$SERVICE_LOG" --jcmd "$JCMD" --clk-tck "$CLK_TCK" "$@" >>"$RESULTS" 2>>"$OUT/driver.log" &
  DRIVER_PID=$!
  local rc=0
  wait "$DRIVER_PID" || rc=$?
  DRIVER_PID=""
  if [ "$rc" != 0 ]; then
    # the driver prints its own failure line; a driver killed by the timeout could not
    tail -n 1 "$RESULTS" | grep -q "\"scenario\":\"$scenario\",\"run\":$run," ||
      failed_run "$scenario" "$run" "the driver did not finish within 900 s"
    echo "  $scenario run $run failed: $(tail -n 1 "$RESULTS")" >&2
  fi
}

wants() { [[ ",$ONLY," == *",$1,"* ]]; }

# run_scenario NAME WARMUPS "STUB ARGS" "DRIVER ARGS" SERVICE_ARGS...: one service instance for WARMUPS unreported
# warm-up runs (they pay for class loading, JIT compilation and the first token) and then all the measured runs
run_scenario() {
  local name=$1 warmups=$2 stub_args=$3 driver_args=$4 run; shift 4
  echo "scenario $name" >&2
  # shellcheck disable=SC2086 # the argument strings are word lists
  if start_stub "$name" $stub_args && start_service "$name" "$@"; then
    for ((run = 1; run <= warmups; run++)); do
      # shellcheck disable=SC2086
      drive "$name" 0 $driver_args
    done
    for ((run = 1; run <= RUNS; run++)); do
      # shellcheck disable=SC2086
      drive "$name" "$run" $driver_args
    done
  else
    for ((run = 1; run <= RUNS; run++)); do failed_run "$name" "$run" "the stub or the service did not start"; done
  fi
  stop_service
  stop_stub
}

# The backoff scenarios measure timing to the millisecond on two cores, where the JIT compiler's threads compete with
# the event loops: on a fresh service they use more CPU than the event loops through the first 8 or so bursts of 1,000
# retries (per-thread CPU from /proc; see bench/README.md). The measured runs come after that.
BACKOFF_WARMUPS=10
[ "$QUICK" = 1 ] && BACKOFF_WARMUPS=1

START_LOAD=$(cut -d ' ' -f 1-3 /proc/loadavg)

# 1. Throughput (and 5. token economy): the stub answers 200 at once
if wants throughput; then
  run_scenario throughput 1 "--script 200" "" -Dorchestrator.retry.base-delay="$THROUGHPUT_DELAY"
fi
# 1b. Throughput when every action answers 503 first, then 200
if wants throughput-503; then
  run_scenario throughput-503 1 "--script 503,200" "" -Dorchestrator.retry.base-delay="$THROUGHPUT_DELAY"
fi
# 2. Overhead: a steady 500 retries/s, 100 ms base delay without jitter, a stub that takes 20 ms
if wants overhead; then
  run_scenario overhead 1 "--script 200 --latency-ms 20" \
    "--rate 500 --duration-s 60 --base-delay-ms 100 --stub-latency-ms 20" \
    -Dorchestrator.retry.base-delay=100ms -Dorchestrator.retry.jitter-factor=0 \
    -Dorchestrator.retention-max-records=200000
fi
# 3. Waiting capacity: every attempt is answered 429 with Retry-After: 60; a fresh service for every run. The first
#    attempt starts at once (base delay 0: see "Waits shorter than 1 ms" in bench/README.md).
if wants waiting; then
  echo "scenario waiting" >&2
  if start_stub waiting --script 429 --retry-after 60; then
    for ((run = 1; run <= RUNS; run++)); do
      if start_service "waiting-$run" -Dorchestrator.retry.base-delay=0ms -Dorchestrator.retry.max-retry-after=120s; then
        drive waiting "$run"
      else
        failed_run waiting "$run" "the service did not start"
      fi
      stop_service
    done
  else
    for ((run = 1; run <= RUNS; run++)); do failed_run waiting "$run" "the stub did not start"; done
  fi
  stop_stub
fi
# 4. Backoff precision: 503, 503, 200 per retry; 200 ms base delay, factor 2, no jitter
if wants backoff; then
  run_scenario backoff "$BACKOFF_WARMUPS" "--script 503,503,200" "--base-delay-ms 200 --factor 2 --max-delay-ms 30000" \
    -Dorchestrator.retry.base-delay=200ms -Dorchestrator.retry.backoff-factor=2 -Dorchestrator.retry.jitter-factor=0 \
    -Dorchestrator.retry.max-delay=30s
fi
# 4b. The same with the default jitter of 0.1, as the goal is stated: the error beyond the configured jitter
if wants backoff-jitter; then
  run_scenario backoff-jitter "$BACKOFF_WARMUPS" "--script 503,503,200" "--base-delay-ms 200 --factor 2 --max-delay-ms 30000 --jitter 0.1" \
    -Dorchestrator.retry.base-delay=200ms -Dorchestrator.retry.backoff-factor=2 -Dorchestrator.retry.jitter-factor=0.1 \
    -Dorchestrator.retry.max-delay=30s
fi

END_LOAD=$(cut -d ' ' -f 1-3 /proc/loadavg)

# ---------------------------------------------------------------------------------------------------------------------
# The table
# ---------------------------------------------------------------------------------------------------------------------
node "$BENCH_DIR/report.js" "$RESULTS" \
  --date "$(date -u +%Y-%m-%dT%H:%M:%SZ)" \
  --cores "$(nproc)" \
  --memory "$(awk '/^MemTotal:/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)" \
  --jdk "$([ -n "$RUNNER" ] && echo "native executable $(basename "$RUNNER")" || "$JAVA" -version 2>&1 | head -n 1)" \
  --node "$(node --version)" \
  --commit "$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)" \
  --load "$START_LOAD -> $END_LOAD" \
  --throughput-delay "$THROUGHPUT_DELAY" \
  --command "$COMMAND" --runs "$RUNS" --quick "$QUICK" --profile "$PROFILE" >"$OUT/table.md"
cat "$OUT/table.md"
echo >&2
echo "logs and raw results: $OUT" >&2
