#!/usr/bin/env bash
# Chaos run of the PostgreSQL store (src/test/java/dev/dataaction/retry/durable/ChaosIT.java): three replicas of the
# packaged service on one database, with the default lease, replica timeout and poll interval, under a steady load while
# a random replica is killed with SIGKILL every 20-25 s and the database goes away once. Checks that nothing is lost,
# that Genesys sees a second call for an attempt only where that attempt was interrupted, and that every attempt starts
# within 20 s of its due time; prints the figures. The Maven build packages the service first.
#
#   bench/chaos.sh [--restart-database] [--seconds N] [--rate R] [--outage-seconds N] [--seed S]
#
#   --restart-database   stop PostgreSQL itself (pg_ctlcluster ... stop -m fast) and start it again, rather than cut the
#                        replicas off it at a TCP proxy (the default). Every other client of the server sees the outage.
#                        Needs the right to run pg_ctlcluster on the local cluster; other commands can be given with
#                        -Dchaos.database-stop=... and -Dchaos.database-start=... in MAVEN_ARGS.
#   --seconds N          how long the load lasts (default 120)
#   --rate R             retries submitted per second (default 5)
#   --outage-seconds N   how long the database stays away (default 5)
#   --seed S             repeats a run's random choices (the report names its seed)
#
# The database is the one of ORCHESTRATOR_DB_URL (default postgresql://127.0.0.1:5432/test), with "_replicas" added to
# its name. The report and the replicas' output are copied to bench/results/chaos-<timestamp>/.
set -euo pipefail
cd "$(dirname "$0")/.."

properties=(-Dchaos=true)
while [ $# -gt 0 ]; do
  case "$1" in
    --restart-database) properties+=(-Dchaos.database-outage=restart) ;;
    --seconds) properties+=("-Dchaos.load-seconds=${2:?--seconds needs a number}"); shift ;;
    --rate) properties+=("-Dchaos.rate=${2:?--rate needs a number}"); shift ;;
    --outage-seconds) properties+=("-Dchaos.outage-seconds=${2:?--outage-seconds needs a number}"); shift ;;
    --seed) properties+=("-Dchaos.seed=${2:?--seed needs a number}"); shift ;;
    -h|--help) sed -n '2,21p' "$0"; exit 0 ;;
    *) echo "unknown option: $1" >&2; exit 2 ;;
  esac
  shift
done

# shellcheck source=lib/common.sh
source bench/lib/common.sh
bench_find_jdk

out=bench/results/chaos-$(date +%Y%m%d-%H%M%S)
rm -f target/chaos-report.txt
status=0
./mvnw -B verify -DskipITs=false -Dit.test=ChaosIT -Dtest=NONE -Dsurefire.failIfNoSpecifiedTests=false \
  "${properties[@]}" || status=$?

if [ -f target/chaos-report.txt ]; then
  mkdir -p "$out"
  cp target/chaos-report.txt "$out/report.md"
  cp -r target/replicas-it/threeReplicasUnderKillsAndADatabaseOutageLoseNothingAndStayOnSchedule "$out/replicas" \
    2>/dev/null || true
  echo
  cat "$out/report.md"
  echo "(report and the replicas' output in $out)"
fi
exit "$status"
