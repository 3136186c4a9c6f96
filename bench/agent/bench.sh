#!/bin/sh
# bench/agent/bench.sh AGENT_BIN OUT_FILE - footprint of cagma-agent.
#
# 1. Instructions per sample and per publish, measured with callgrind as the
#    difference between runs that differ only in the number of samples
#    (or in publishing every sample), so start-up cost cancels out.
# 2. Private RSS (/proc/PID/smaps_rollup) of the agent running at default
#    settings against a fixture tree, and its measured CPU time
#    (/proc/PID/schedstat, user + kernel) sampling the real /proc.
# 3. CPU share at 10 samples/s computed from the instruction count, for a
#    core retiring 1e9 instructions/s (a deliberately slow 1 GHz, IPC 1).
# 4. In the same run, a process that only wakes up at the agent's measured
#    rate (TICK_BIN, bench/agent/tick.c): what the machine itself charges
#    for a wake-up (timer, scheduler, a VM's exits), which the agent pays
#    too; the agent's own share is the difference.
# usage: bench.sh AGENT_BIN OUT_FILE TICK_BIN
set -eu
agent=${1:-build/bin/cagma-agent}
out=${2:-bench/results/agent.txt}
tick=${3:-build/bench/agent-tick}
fix=tests/fixtures/linux-6.1-swap
n1=200 n2=1200
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
command -v valgrind >/dev/null || { echo "bench-agent: valgrind missing (make deps)"; exit 1; }

# total instructions of one callgrind run; $1 = tag, rest = agent options
ir() {
	tag=$1; shift
	valgrind --tool=callgrind --callgrind-out-file="$tmp/cg.$tag" \
	    "$agent" --config /dev/null --proc "$fix" --dry-run \
	    --no-psi-trigger --interval 1ms --interval-max 1ms "$@" \
	    >"$tmp/out.$tag" 2>/dev/null
	sed -n 's/^summary: *\([0-9]*\).*/\1/p' "$tmp/cg.$tag"
}
ir_a=$(ir a --heartbeat 3600s --samples $n1)
ir_b=$(ir b --heartbeat 3600s --samples $n2)
ir_c=$(ir c --heartbeat 1ms --samples $n2)
pub_b=$(wc -l <"$tmp/out.b")
pub_c=$(wc -l <"$tmp/out.c")
per_sample=$(( (ir_b - ir_a) / (n2 - n1) ))
per_publish=$(( (ir_c - ir_b) / (pub_c - pub_b) ))
# top functions by inclusive cost in the sample-only run
top=$(callgrind_annotate --inclusive=yes "$tmp/cg.b" 2>/dev/null |
    grep -E 'procfs_parse|sample_read|report_decide|agent_step' | grep -v '\[' |
    head -n 6 | sed 's/^/    /')

# private RSS at default settings against the fixture (3 s)
"$agent" --config /dev/null --proc "$fix" --dry-run --foreground \
    >/dev/null 2>"$tmp/err.rss" &
pid=$!
sleep 3
priv=$(awk '/^Private_(Clean|Dirty|Hugetlb):/ { s += $2 } END { print s }' \
    /proc/$pid/smaps_rollup)
rss=$(awk '/^Rss:/ { print $2 }' /proc/$pid/smaps_rollup)
kill -TERM $pid; wait $pid || true

# measured CPU on the real /proc (10 s each, side by side in one run):
# the default (adaptive, 100 ms .. 1 s) and a fixed 100 ms period
measure() {	# $1 = tag, rest = command; sets cpu_$tag (and samples_$tag)
	tag=$1; shift
	"$@" >/dev/null 2>"$tmp/err.$tag" &
	pid=$!
	sleep 0.5
	c0=$(cut -d' ' -f1 /proc/$pid/schedstat); t0=$(date +%s%N)
	sleep 10
	c1=$(cut -d' ' -f1 /proc/$pid/schedstat); t1=$(date +%s%N)
	kill -TERM $pid; wait $pid || true
	eval "cpu_$tag=\$(awk -v c=\$((c1 - c0)) -v t=\$((t1 - t0)) \
	    'BEGIN { printf \"%.4f\", c / t * 100 }')"
	eval "samples_$tag=\$(sed -n 's/.*stopping: \\([0-9]*\\) samples.*/\\1/p' \
	    \"\$tmp/err.$tag\")"
}
measure adaptive "$agent" --config /dev/null --dry-run --foreground
measure fixed "$agent" --config /dev/null --dry-run --foreground \
    --interval-max 100ms
# the bare wake-ups at the rates just measured (one per sample)
per_s=$(awk -v n="$samples_adaptive" 'BEGIN { p = n > 0 ? int(10500 / n) : 1000;
    print (p < 1 ? 1 : p) }')
measure tick_adaptive "$tick" "$per_s"
measure tick_fixed "$tick" 100
own_adaptive=$(awk -v a="$cpu_adaptive" -v t="$cpu_tick_adaptive" \
    'BEGIN { d = a - t; printf "%.4f", d < 0 ? 0 : d }')
own_fixed=$(awk -v a="$cpu_fixed" -v t="$cpu_tick_fixed" \
    'BEGIN { d = a - t; printf "%.4f", d < 0 ? 0 : d }')
cpu_calc_adaptive=$(awk -v i="$per_sample" -v p="$per_s" \
    'BEGIN { printf "%.4f", i * 1000 / p / 1e9 * 100 }')
avail=$(awk '/^MemAvailable:/ { printf "%d", $2 / 1024 }' /proc/meminfo)

cpu_calc=$(awk -v i="$per_sample" 'BEGIN { printf "%.4f", i * 10 / 1e9 * 100 }')
verdict() { awk -v v="$1" -v l="$2" 'BEGIN { print (v <= l) ? "ok" : "OVER" }'; }

mkdir -p "$(dirname "$out")"
{
echo "cagma-agent footprint ($(date -u +%Y-%m-%dT%H:%MZ), $(uname -r), fixture $fix)"
echo "instructions per sample : $per_sample  (limit 100000: $(verdict $per_sample 100000))"
echo "    callgrind: $n1 samples = $ir_a Ir, $n2 samples = $ir_b Ir"
echo "instructions per publish: $per_publish  (encode + write, dry-run)"
echo "    callgrind: $pub_b vs $pub_c publishes, $ir_b vs $ir_c Ir"
echo "private RSS             : $priv KiB (Rss $rss KiB; limit 1024: $(verdict $priv 1024))"
echo "CPU at 10 samples/s     : $cpu_calc % of a core, computed at 1e9 instr/s (limit 0.05: $(verdict $cpu_calc 0.05))"
echo "CPU measured, real /proc: $cpu_adaptive % of a core adaptive (default; $samples_adaptive samples in ~10.5 s, MemAvailable $avail MiB), $cpu_fixed % at a fixed 100 ms ($samples_fixed samples); schedstat, user+kernel, one run (limit 0.02 adaptive: $(verdict $cpu_adaptive 0.02))"
echo "idle wake-up baseline   : $cpu_tick_adaptive % of a core waking every $per_s ms, $cpu_tick_fixed % every 100 ms (bench/agent/tick.c, same run): the machine's cost of a wake-up ($(awk -v c="$cpu_tick_fixed" 'BEGIN { printf "%.0f", c * 1000 }') us each at 10/s)"
echo "agent's own share       : $own_adaptive % adaptive, $own_fixed % fixed 100 ms (measured minus baseline; limit 0.02 adaptive: $(verdict $own_adaptive 0.02)); computed from instructions at the adaptive rate: $cpu_calc_adaptive %"
echo "    adaptive: 100 ms while MemAvailable is within 100 ms of the low line at 8 GiB/s, falling (>= 16 MiB since the last sample) or below swap in use + the line; up to 1 s while ample; the PSI trigger wakes it at once either way"
echo "top inclusive costs (sample-only run):"
echo "$top"
} | tee "$out"
