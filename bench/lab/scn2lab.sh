#!/bin/sh
# scn2lab.sh SCN [FIRST-LAST] - the Xen lab's paper job from a cagma-sim
# scenario file (bench/scenarios/FORMAT.md), so that the simulator and the
# lab run one scenario.  Prints shell assignments for run-lab.sh:
#   export LAB_SCN_NAME=paper LAB_SCN_PHASES=6
#   export LAB_VM1_START=512 LAB_VM1_MAX=2500 (MiB)
#   export LAB_VM1_TASKS=2,2,2,10,10,10 LAB_VM1_DISK=0,0,0,0,0,0
#   ... the same for vm2 and vm3
# The lab has three guest slots named vm1, vm2, vm3: the file must define
# exactly those guests, in that order, each with count=1.  Every phase line
# needs tasks=N (memory tasks of LAB_TASK_MIB) and may give disk_tasks=N
# (O_DIRECT disk tasks); the simulator's own load is anon/file.  Phases are
# cut into units of the greatest common divisor of all phase durations (a
# 366 s phase beside 61 s ones is 6 units); the lab runs every unit for
# LAB_PHASE_S seconds, so the file's durations set only the proportions.  A
# guest's last phase holds until the longest guest's end, as in the
# simulator.  FIRST-LAST (0-based, inclusive) keeps only those units.
# Exit status 0, or 2 with one line on stderr naming the problem.
set -eu
scn=${1:?usage: scn2lab.sh SCN [FIRST-LAST]}
range=${2:-}
[ -r "$scn" ] || { echo "scn2lab: cannot read $scn" >&2; exit 2; }
case $range in
"" | [0-9]-[0-9] | [0-9]-[0-9][0-9] | [0-9][0-9]-[0-9][0-9]) ;;
*) echo "scn2lab: bad phase range '$range' (FIRST-LAST, e.g. 2-4)" >&2; exit 2 ;;
esac
awk -v file="$scn" -v range="$range" '
function die(msg) { printf "scn2lab: %s:%d: %s\n", file, NR, msg > "/dev/stderr"
	bad = 1; exit 2 }
function ms(v,  n) {	# "61s", "500ms", "61000" -> ms
	if (v ~ /^[0-9]+ms$/) n = substr(v, 1, length(v) - 2) + 0
	else if (v ~ /^[0-9]+s$/) n = substr(v, 1, length(v) - 1) * 1000
	else if (v ~ /^[0-9]+$/) n = v + 0
	else die("bad duration " v)
	if (n <= 0) die("duration must be > 0")
	return n }
function mib(v,  n, u) {	# "512M", "2G", "524288" (KiB) -> MiB
	if (v !~ /^[0-9]+[KMG]?$/) die("bad size " v)
	u = substr(v, length(v)); n = v + 0
	if (u == "G") return n * 1024
	if (u == "M") return n
	if (n % 1024) die("size " v " is not a whole MiB")
	return n / 1024 }
function count(v) { if (v !~ /^[0-9]+$/ || v + 0 > 1000) die("bad count " v)
	return v + 0 }
function gcd(a, b,  t) { while (b) { t = a % b; a = b; b = t } return a }
{ sub(/#.*/, "") }
NF == 0 { next }
$1 == "guest" {
	ng++; name = $2
	if (ng > 3 || name != "vm" ng)
		die("the lab has guests vm1, vm2, vm3, in that order (got " name ")")
	gi[name] = ng; start[ng] = ""; max[ng] = ""
	for (i = 3; i <= NF; i++) {
		split($i, kv, "=")
		if (kv[1] == "start") start[ng] = mib(kv[2])
		else if (kv[1] == "max") max[ng] = mib(kv[2])
		else if (kv[1] == "count" && kv[2] != "1")
			die("count= is not supported by the lab")
	}
	if (start[ng] == "" || max[ng] == "") die(name ": start= and max= are required")
	next }
$1 == "phase" {
	if (!($2 in gi)) die("phase for unknown guest " $2)
	g = gi[$2]; d = ms($3); t = ""; dk = 0
	for (i = 4; i <= NF; i++) {
		split($i, kv, "=")
		if (kv[1] == "tasks") t = count(kv[2])
		else if (kv[1] == "disk_tasks") dk = count(kv[2])
	}
	if (t == "") die($2 ": phase without tasks= (the lab'"'"'s memory tasks)")
	k = ++np[g]; dur[g, k] = d; mem[g, k] = t; disk[g, k] = dk
	unit = gcd(unit + 0, d)
	next }
$1 == "name" { sname = $2 }
END {
	if (bad) exit 2
	if (ng != 3) { printf "scn2lab: %s: the lab needs guests vm1, vm2, vm3\n", file > "/dev/stderr"; exit 2 }
	total = 0
	for (g = 1; g <= 3; g++) {
		if (!np[g]) { printf "scn2lab: %s: vm%d has no phase\n", file, g > "/dev/stderr"; exit 2 }
		n[g] = 0
		for (k = 1; k <= np[g]; k++)
			for (u = 0; u < dur[g, k] / unit; u++) {
				n[g]++; m[g, n[g]] = mem[g, k]; dd[g, n[g]] = disk[g, k] }
		if (n[g] > total) total = n[g]
	}
	lo = 0; hi = total - 1
	if (range != "") { split(range, r, "-"); lo = r[1] + 0; hi = r[2] + 0 }
	if (lo > hi || hi >= total || total > 64) {
		printf "scn2lab: %s: %d phase units; range %s does not fit (at most 64)\n",
		    file, total, range > "/dev/stderr"; exit 2 }
	printf "export LAB_SCN_NAME=%s LAB_SCN_PHASES=%d\n", sname == "" ? "unnamed" : sname, hi - lo + 1
	for (g = 1; g <= 3; g++) {
		ml = ""; dl = ""
		for (u = lo + 1; u <= hi + 1; u++) {
			x = u <= n[g] ? u : n[g]	# the last phase holds
			ml = ml (u > lo + 1 ? "," : "") m[g, x]
			dl = dl (u > lo + 1 ? "," : "") dd[g, x] }
		printf "export LAB_VM%d_START=%d LAB_VM%d_MAX=%d\n", g, start[g], g, max[g]
		printf "export LAB_VM%d_TASKS=%s LAB_VM%d_DISK=%s\n", g, ml, g, dl
	}
}' "$scn"
