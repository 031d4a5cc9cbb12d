# Helpers shared by the benchmark scripts (bench/*.sh), sourced, not run:
#
#   source "$BENCH_DIR/lib/common.sh"
#
#   bench_find_jdk        JAVA_HOME if it holds a java, else a JDK 25 under /usr/lib/jvm, else the java on the PATH;
#                         exports JAVA_HOME and sets JAVA (exits when there is none)
#   bench_traps           stops everything the script started on any exit: calls the script's own `cleanup` on EXIT,
#                         and turns SIGINT / SIGTERM into an exit (130) that runs it
#   stop_pid PID SECONDS  SIGTERM, waits at most SECONDS, then SIGKILL; nothing when PID is empty or gone
#   free_port             prints a free TCP port on 127.0.0.1
#   start_node_stub SCRIPT LOGFILE PORTFILE [arguments...]
#                         starts a Genesys stand-in (node SCRIPT --port-file PORTFILE arguments...) in the background,
#                         waits up to 10 s for it to write its port(s) to PORTFILE; sets STUB_PID
#   wait_service_ready PID URL
#                         waits up to 120 s for URL/q/health/ready to answer 200 while PID lives; fails otherwise
#   bench_table TITLE DRIVER
#                         writes $OUT/table.md: the machine, the service's commit and the load, then DRIVER's report
#
# Long-running children should run in the background and be waited for with `wait`, which a signal interrupts at once
# (a foreground child would delay the trap until it ended).

bench_find_jdk() {
  local jdk
  if [ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/java" ]; then
    :
  elif jdk=$(ls -d /usr/lib/jvm/*25* 2>/dev/null | head -n 1) && [ -n "$jdk" ] && [ -x "$jdk/bin/java" ]; then
    export JAVA_HOME=$jdk
  elif command -v java >/dev/null; then
    JAVA_HOME=$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")
    export JAVA_HOME
  else
    echo "no JDK found: set JAVA_HOME" >&2
    exit 1
  fi
  JAVA=$JAVA_HOME/bin/java
}

bench_traps() {
  trap cleanup EXIT
  trap 'echo "interrupted: stopping everything this run started" >&2; exit 130' INT TERM
}

stop_pid() {
  local pid=$1 wait_s=$2 i
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 0
  kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < wait_s * 10; i++)); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}

free_port() {
  node -e "const s=require('net').createServer();s.listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})"
}

start_node_stub() {
  local script=$1 log=$2 port_file=$3 i
  shift 3
  rm -f "$port_file"
  node "$script" --port-file "$port_file" "$@" >"$log" 2>&1 &
  STUB_PID=$!
  for ((i = 0; i < 100; i++)); do
    [ -s "$port_file" ] && return 0
    kill -0 "$STUB_PID" 2>/dev/null || break
    sleep 0.1
  done
  echo "the stand-in did not start (see $log)" >&2
  return 1
}

wait_service_ready() {
  local pid=$1 url=$2 i
  for ((i = 0; i < 240; i++)); do
    kill -0 "$pid" 2>/dev/null || return 1
    [ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$url/q/health/ready" || true)" = 200 ] && return 0
    sleep 0.5
  done
  return 1
}

# Reads JAR, JAVA, BENCH_DIR, OUT, RESULTS, COMMAND, START_LOAD and END_LOAD.
bench_table() {
  local title=$1 driver=$2 jar_dir commit
  jar_dir=$(cd "$(dirname "$JAR")/.." && pwd)
  commit=$(git -C "$jar_dir" rev-parse --short HEAD 2>/dev/null || echo unknown)
  [ -n "$(git -C "$jar_dir" status --porcelain -- src 2>/dev/null)" ] && commit="$commit, with uncommitted changes in src/"
  {
    echo "$title, $(date -u +%Y-%m-%dT%H:%M:%SZ), $(nproc) cores," \
      "$(awk '/^MemTotal:/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo), $("$JAVA" -version 2>&1 | head -n 1)," \
      "Node.js $(node --version)"
    echo "Service: $JAR (commit $commit); load average $START_LOAD -> $END_LOAD"
    echo "Command: $COMMAND"
    echo
    node "$BENCH_DIR/$driver" report "$RESULTS"
  } >"$OUT/table.md"
}
