#!/usr/bin/env bash
# Start-up time and memory of the packaged service, plain and with the JDK's AOT cache (JDK 25):
# time from process start to the first successful GET /q/health/ready, and resident memory at that moment,
# median of RUNS starts of each. Builds the application and its AOT cache first when they are missing.
# Usage: bench/startup.sh [RUNS]   (default 5)
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${1:-5}"

if [ -z "${JAVA_HOME:-}" ]; then
  for candidate in /usr/lib/jvm/temurin-25-jdk-* /usr/lib/jvm/java-25-*; do
    [ -x "$candidate/bin/java" ] && export JAVA_HOME="$candidate" && break
  done
fi
java="${JAVA_HOME:+$JAVA_HOME/bin/}java"

if [ ! -f target/quarkus-app/app.aot ]; then
  # the integration tests are the training run that records the cache
  ./mvnw -B -q verify -DskipITs=false -Dquarkus.package.jar.aot.enabled=true -Dtest='RetryLifecycleTest' \
    -Dsurefire.failIfNoSpecifiedTests=false
fi

echo "Start-up of genesys-retry-orchestrator, $(date -u +%Y-%m-%d), $(nproc) cores," \
  "$(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $("$java" -version 2>&1 | head -1)"
echo "Command: bench/startup.sh $runs"
echo
node bench/startup.mjs target/quarkus-app "$java" "$runs"
