#!/usr/bin/env bash
# Runs a set of Ringfence benchmarks and prints their ratios against the peers measured in the same run.
#
#   benchmarks/run.sh                 # the peers set: decision and signal ingestion vs Unleash, LaunchDarkly, resilience4j
#   benchmarks/run.sh 'Decision'      # any JMH benchmark regex
#   benchmarks/run.sh memory [N...]   # bytes per tracked endpoint (JOL), default 1M and 10M endpoints
#   benchmarks/run.sh fleet [N...]    # the simulator's crowdstrike-2024 at 1M, 3M and 10M endpoints: wall time, peak RSS
#   benchmarks/run.sh hazard [RUNS]          # the hazard test alone under its null, every shipped ring schedule
#   benchmarks/run.sh server [--seconds 15] [--warmup 5]
#                                     # the update server over loopback HTTP: decisions and signed signal batches at
#                                     # 8 and 64 connections, p50/p99, against the load client's ceiling and the JDK server
#   benchmarks/run.sh judge [--quick] [--seeds N] [--rows REGEX] [--gate PARAM=NUMBER]
#                                     # judge quality: false halts of healthy releases, halts of bad ones (200 seeds a row)
#
# Extra JMH options go in JMH_OPTS (default: the settings of the committed run), e.g.
#   JMH_OPTS='-f 1 -wi 1 -w 1s -i 3 -r 1s' benchmarks/run.sh Decision
# Results: benchmarks/results/<set>-<UTC date and time>.json (JMH JSON) and a .md table next to it.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/.." && pwd)"
jar="$here/target/benchmarks.jar"
results="$here/results"
mkdir -p "$results"

# Build when the jar is missing or older than any source of core or the benchmarks.
if [[ ! -f "$jar" ]] || [[ -n "$(find "$root/pom.xml" "$root"/{protocol,core,rollout-agent,simulator,server,postgresql,micrometer}/{pom.xml,src/main} \
    "$here/pom.xml" "$here/src" -newer "$jar" -type f -print -quit 2>/dev/null)" ]]; then
  echo "building $jar" >&2
  (cd "$root" && ./mvnw -B -q -pl benchmarks -am package -DskipTests)
fi

stamp="$(date -u +%Y-%m-%dT%H%M%SZ)"
set_name="${1:-peers}"

if [[ "$set_name" == "judge" ]]; then
  shift
  cmd=(java -Xmx${JUDGE_HEAP:-6g} -cp "$jar" dev.ringfence.benchmarks.JudgeSweep --out "$results" "$@")
  echo "command: ${cmd[*]}" >&2
  "${cmd[@]}"
  exit 0
fi

if [[ "$set_name" == "server" ]]; then
  shift
  out="$results/server-$stamp.md"
  cmd=(java -Xms1g -Xmx2g -cp "$jar" dev.ringfence.benchmarks.ServerLoad "$@")
  { echo "Command: \`benchmarks/run.sh server $*\` ($(nproc) cores)"; echo; "${cmd[@]}"; } | tee "$out"
  echo "wrote $out" >&2
  exit 0
fi

if [[ "$set_name" == "hazard" ]]; then
  shift
  out="$results/hazard-$stamp.md"
  cmd=(java -cp "$jar" dev.ringfence.benchmarks.HazardMonteCarlo "$@")
  { "${cmd[@]}"; echo; echo "command: benchmarks/run.sh hazard $*"; } | tee "$out"
  echo "wrote $out" >&2
  exit 0
fi

if [[ "$set_name" == "memory" ]]; then
  shift
  counts=("$@")
  [[ ${#counts[@]} -gt 0 ]] || counts=(1000000 10000000)
  out="$results/memory-$stamp.txt"
  # JOL walks the whole object graph: 10M endpoints need a large heap. The command is recorded in the output.
  cmd=(java -Xmx${MEMORY_HEAP:-16g} -XX:+UseParallelGC -Djdk.attach.allowAttachSelf=true -Djol.magicFieldOffset=true
    -cp "$jar" dev.ringfence.benchmarks.MemoryPerEndpoint "${counts[@]}")
  { echo "command: ${cmd[*]}"; "${cmd[@]}"; } 2>&1 | tee "$out"
  echo "wrote $out" >&2
  exit 0
fi

if [[ "$set_name" == "fleet" ]]; then
  shift
  counts=("$@")
  [[ ${#counts[@]} -gt 0 ]] || counts=(1000000 3000000 10000000)
  ringfence="$root/cli/target/ringfence.jar"
  (cd "$root" && ./mvnw -B -q -pl cli -am package -DskipTests)
  out="$results/fleet-$stamp.md"
  tmp="$(mktemp -d)"
  # Peak RSS from GNU time (Debian package "time"); without it the column says n/a.
  timer=()
  [[ -x /usr/bin/time ]] && timer=(/usr/bin/time -f '%M' -o "$tmp/rss")
  {
    echo "Command: \`benchmarks/run.sh fleet ${counts[*]}\` on $(nproc) cores, $(date -u +%Y-%m-%d)."
    echo
    echo "| endpoints | heap limit | wall time | time / 1st row's | peak RSS | live heap after a GC, max | exposed | halted after |"
    echo "|---:|---:|---:|---:|---:|---:|---:|---:|"
  } > "$out"
  first=""
  for n in "${counts[@]}"; do
    # The goal: 10M endpoints in a 4 GB heap. Up to 2M the launcher's default, 2 GB.
    heap=2g
    (( n > 2000000 )) && heap=4g
    gc="$tmp/gc-$n.log"
    # The launcher's settings (./ringfence): huge pages where the kernel offers them.
    thp=()
    grep -qE '\[(always|madvise)\]' /sys/kernel/mm/transparent_hugepage/enabled 2>/dev/null && thp=(-XX:+UseTransparentHugePages)
    cmd=(java -Xms1g -Xmx$heap "${thp[@]}" -Xlog:gc:file=$gc -jar "$ringfence" simulate crowdstrike-2024 --endpoints "$n"
      --quiet --out "$tmp")
    echo "command: ${cmd[*]}" >&2
    start=$(date +%s.%N)
    "${timer[@]}" "${cmd[@]}" > "$tmp/out-$n.txt"
    end=$(date +%s.%N)
    wall=$(awk -v a="$start" -v b="$end" 'BEGIN { print b - a }')
    [[ -n "$first" ]] || first="$wall"
    ratio=$(awk -v a="$wall" -v b="$first" 'BEGIN { printf "%.1fx", a / b }')
    rss="n/a"
    [[ -s "$tmp/rss" ]] && rss="$(awk '{ printf "%.2f GB", $1 / 1048576 }' "$tmp/rss")"
    live=$(grep -oE '[0-9]+M->[0-9]+M' "$gc" | awk -F'->' '{ gsub("M", "", $2); if ($2 + 0 > m) m = $2 + 0 } END { print m + 0 }')
    exposed=$(grep 'endpoints that got the candidate' "$tmp/out-$n.txt" | awk '{ print $6, $7 }')
    halted=$(grep 'halted after' "$tmp/out-$n.txt" | awk '{ print $3, $4 }')
    printf '| %s | %s | %.1f s | %s | %s | %s MB | %s | %s |\n' "$n" "$heap" "$wall" "$ratio" "$rss" "$live" "$exposed" \
      "$halted" >> "$out"
  done
  cat "$out"
  echo "wrote $out" >&2
  exit 0
fi

if [[ "$set_name" == "peers" ]]; then
  regex='DecisionBenchmark|SignalIngestBenchmark'
else
  regex="$set_name"
  set_name="$(echo "$set_name" | tr -c 'A-Za-z0-9_-' '_' | cut -c1-40)"
fi
json="$results/$set_name-$stamp.json"
jmh_opts=(${JMH_OPTS:--f 1 -wi 3 -w 2s -i 5 -r 2s})
cmd=(java -Xms2g -Xmx2g -XX:+AlwaysPreTouch -jar "$jar" "$regex" "${jmh_opts[@]}"
  -jvmArgs "-Xms2g -Xmx2g -XX:+AlwaysPreTouch" -prof gc -rf json -rff "$json")
echo "command: ${cmd[*]}" >&2
"${cmd[@]}"
{
  echo "Command: \`${cmd[*]/#$root\//}\`"
  echo
  java -cp "$jar" dev.ringfence.benchmarks.RatioTable "$json"
} | tee "${json%.json}.md"
echo "wrote $json" >&2
