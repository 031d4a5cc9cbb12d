#!/usr/bin/env bash
# Start-up time and memory of the packaged service: the jar, the jar with the JDK's AOT cache (JDK 25) and the native
# executable. Time from process start to the first successful GET /q/health/ready, and resident memory at that moment,
# median of RUNS starts of each. Builds the application and its AOT cache first when they are missing, and the native
# executable when it is missing and a GraalVM or Mandrel is at hand (GRAALVM_HOME, or native-image on the PATH);
# without one, the native variant is left out.
# Usage: bench/startup.sh [RUNS] [NATIVE_OPTION...]   (default 5 runs)
#   NATIVE_OPTIONs (such as -Xmn16m) are given to the native executable only.
#   NATIVE_EXECUTABLE=PATH measures that executable instead of target/*-runner (another build of the service).
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${1:-5}"
native_options=("${@:2}")

# shellcheck source=lib/common.sh
source bench/lib/common.sh
bench_find_jdk
java=$JAVA

if [ ! -f target/quarkus-app/app.aot ]; then
  # the integration tests are the training run that records the cache
  ./mvnw -B -q verify -DskipITs=false -Dquarkus.package.jar.aot.enabled=true -Dtest='RetryLifecycleTest' \
    -Dsurefire.failIfNoSpecifiedTests=false
fi

runner=${NATIVE_EXECUTABLE:-$(ls target/*-runner 2>/dev/null | head -n 1 || true)}
if [ -z "$runner" ] && { [ -n "${GRAALVM_HOME:-}" ] || command -v native-image >/dev/null 2>&1; }; then
  ./mvnw -B -q package -Dnative -DskipTests
  runner=$(ls target/*-runner | head -n 1)
fi
[ -n "$runner" ] || echo "No native executable (target/*-runner) and no GraalVM to build one: native left out" >&2

echo "Start-up of genesys-retry-orchestrator, $(date -u +%Y-%m-%d), $(nproc) cores," \
  "$(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $("$java" -version 2>&1 | head -1)"
echo "Command:${NATIVE_EXECUTABLE:+ NATIVE_EXECUTABLE=$NATIVE_EXECUTABLE} bench/startup.sh $runs ${native_options[*]}"
echo
native=()
[ -n "$runner" ] && native=("$(realpath "$runner")" "${native_options[@]}")
node bench/startup.mjs target/quarkus-app "$java" "$runs" "${native[@]}"
