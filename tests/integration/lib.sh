# lib.sh - shared helpers for the fake-Xen integration scenarios (bash).
#
# Source it from a scenario script; it sets up a fresh short tmp dir ($D),
# exports FAKEXEN_DIR / XENSTORED_RUNDIR / XENSTORED_PATH, and installs a
# cleanup trap that stops every process started through it and removes $D.
# Each check prints one "PASS: ..." or "FAIL: ..." line; "SKIP: ..." marks a
# check that cannot run because a program under test is absent (counted as
# a failure by run.sh).
#
# Environment: CAGMA_BUILD (default build), CAGMAD (default
# $CAGMA_BUILD/test/bin/cagmad: the test build, which has --backend sim),
# CAGMA_AGENT, XENSTORED.

set -u

IT_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
CAGMA_BUILD=${CAGMA_BUILD:-$IT_ROOT/build}
case $CAGMA_BUILD in /*) ;; *) CAGMA_BUILD=$IT_ROOT/$CAGMA_BUILD ;; esac
HARNESS=${HARNESS:-$IT_ROOT/build/integration}
# the newest installed C xenstored (Debian 12: 4.17, Debian 13: 4.20)
XENSTORED=${XENSTORED:-$(ls -d /usr/lib/xen-4.*/bin/xenstored 2>/dev/null |
    sort -V | tail -n 1)}
CAGMAD=${CAGMAD:-$CAGMA_BUILD/test/bin/cagmad}
CAGMA_AGENT=${CAGMA_AGENT:-$CAGMA_BUILD/bin/cagma-agent}
CAGMACTL=${CAGMACTL:-$CAGMA_BUILD/bin/cagmactl}
FAKEGUEST=$HARNESS/fakeguest
XSTOOL=$HARNESS/xstool
SHIM=$HARNESS/libfakexen.so

# AF_UNIX paths are limited to 107 bytes: keep the directory short.
D=$(mktemp -d /tmp/cgit.XXXXXX)
export FAKEXEN_DIR=$D XENSTORED_RUNDIR=$D XENSTORED_PATH=$D/socket
IT_PIDS=""
IT_FAILS=0
XS_PID=""

it_cleanup() {
	local p
	for p in $IT_PIDS $XS_PID; do
		kill "$p" 2>/dev/null
	done
	sleep 0.05
	for p in $IT_PIDS $XS_PID; do
		kill -9 "$p" 2>/dev/null
	done
	wait $IT_PIDS $XS_PID 2>/dev/null
	if [ "${IT_KEEP:-0}" = 1 ]; then
		echo "kept $D"
	else
		rm -rf "$D"
	fi
}
trap it_cleanup EXIT

pass() { echo "PASS: $*"; }
fail() { echo "FAIL: $*"; IT_FAILS=$((IT_FAILS + 1)); }
skip() { echo "SKIP: $*"; }

# check DESCRIPTION COMMAND... : PASS if COMMAND succeeds.
check() {
	local what=$1
	shift
	if "$@"; then pass "$what"; else fail "$what"; fi
}

# not COMMAND... : succeeds when COMMAND fails (for check).
not() { ! "$@"; }

# wait_for TIMEOUT_S COMMAND... : poll every 10 ms until COMMAND succeeds.
# Its locals are prefixed: the command may be an eval'd string naming the
# caller's variables (wait_expr), which a plain "local t" would shadow.
wait_for() {
	local _wf_deadline=$(( $(date +%s%N) + ${1%.*} * 1000000000 ))
	shift
	until "$@"; do
		[ "$(date +%s%N)" -lt "$_wf_deadline" ] || return 1
		sleep 0.01
	done
}

# wait_expr TIMEOUT_S 'SHELL TEST' : like wait_for, but the test (a string,
# single-quoted by the caller) is re-evaluated on every try.
wait_expr() {
	local _we_timeout=$1
	shift
	wait_for "$_we_timeout" eval "$*"
}

# track PID : stop it in the cleanup trap.
track() { IT_PIDS="$IT_PIDS $1"; }

# xs_start : start xenstored under the shim; returns once it serves dom0.
xs_start() {
	LD_PRELOAD=$SHIM "$XENSTORED" -N 2>>"$D/xenstored.err" >/dev/null &
	XS_PID=$!
	wait_for 10 xenstore-exists /tool/xenstored 2>/dev/null
}

# xs_stop [SIGNAL] : stop xenstored (default SIGTERM) and wait for it.
xs_stop() {
	[ -n "$XS_PID" ] || return 0
	kill -"${1:-TERM}" "$XS_PID" 2>/dev/null
	wait "$XS_PID" 2>/dev/null
	XS_PID=""
}

xs_alive() { [ -n "$XS_PID" ] && kill -0 "$XS_PID" 2>/dev/null; }

# guest_start N [fakeguest options] : serve domain N (layout + introduce);
# sets G_PID[N]; its clients use XENSTORED_PATH=$D/guest-N.sock.
declare -A G_PID
guest_start() {
	local n=$1
	shift
	"$FAKEGUEST" --domid "$n" "$@" >"$D/fg-$n.out" 2>"$D/fg-$n.err" &
	G_PID[$n]=$!
	track "${G_PID[$n]}"
	wait_for 5 grep -qs ready "$D/fg-$n.out"
}

gsock() { echo "$D/guest-$1.sock"; }

# as_guest N COMMAND... : run a libxenstore COMMAND as domain N.
as_guest() {
	local n=$1
	shift
	XENSTORED_PATH=$(gsock "$n") "$@"
}

xs_read() { xenstore-read "$@" 2>/dev/null; }

# have PROGRAM DESCRIPTION : false (and a SKIP line) if PROGRAM is absent.
have() {
	if [ -x "$1" ]; then return 0; fi
	skip "$2: $1 not built yet"
	IT_FAILS=$((IT_FAILS + 1))
	return 1
}

it_finish() {
	[ "$IT_FAILS" -eq 0 ]
	exit $?
}

# proc_fixture DIR MEMTOTAL MEMFREE MEMAVAIL PSWPIN [PGSCAN_KSWAPD]
# Write a fake procfs (meminfo, vmstat, pressure/memory) for cagma-agent
# --proc DIR.  Values are fixed width and rewritten in place (same length,
# one write) so the agent's pread() never sees a half-written file.
proc_fixture() {
	local dir=$1 t=$2 f=$3 a=$4 pin=$5 scan=${6:-0}
	mkdir -p "$dir/pressure"
	printf 'MemTotal:       %12d kB\nMemFree:        %12d kB\nMemAvailable:   %12d kB\nBuffers:        %12d kB\nCached:         %12d kB\nSwapCached:     %12d kB\nSwapTotal:      %12d kB\nSwapFree:       %12d kB\n' \
		"$t" "$f" "$a" 1024 $((a / 2)) 0 1048576 $((1048576 - pin * 4 % 1048576)) |
		dd of="$dir/meminfo" conv=notrunc status=none
	printf 'pgmajfault %012d\npswpin %012d\npswpout %012d\npgscan_kswapd %012d\npgsteal_kswapd %012d\nworkingset_refault_anon %012d\nworkingset_refault_file %012d\noom_kill %012d\n' \
		"$pin" "$pin" "$pin" "$scan" "$scan" 0 "$pin" 0 |
		dd of="$dir/vmstat" conv=notrunc status=none
	printf 'some avg10=0.00 avg60=0.00 avg300=0.00 total=%012d\nfull avg10=0.00 avg60=0.00 avg300=0.00 total=%012d\n' \
		$((pin * 100)) $((pin * 50)) |
		dd of="$dir/pressure/memory" conv=notrunc status=none
}

# rec_field FIELD RECORD : print one field's value from a stats record.
rec_field() {
	echo " $2 " | sed -n "s/.* $1=\([0-9]*\) .*/\1/p"
}

stats_of() { xs_read "/local/domain/$1/data/cagma/stats"; }

# cagmad_start [EXTRA CONFIG LINES...] : run the test build's
# cagmad --backend sim in the
# foreground against this xenstored, config in $D/cagmad.conf, log in
# $D/cagmad.err (appended across restarts); sets CG_PID.
CG_PID=""
cagmad_start() {
	local l
	{
		echo "[global]"
		echo "period = 1s"
		for l in "$@"; do echo "$l"; done
		echo "[sim]"
		echo "host_memory = ${SIM_HOST:-16G}"
		echo "balloon_rate = ${SIM_RATE:-0}"
	} >"$D/cagmad.conf"
	${CAGMAD_WRAP:-} "$CAGMAD" --foreground --backend sim ${CAGMAD_ARGS:-} \
		--config "$D/cagmad.conf" --socket "$D/cagmad.sock" \
		2>>"$D/cagmad.err" &
	CG_PID=$!
	track "$CG_PID"
	wait_for 5 [ -S "$D/cagmad.sock" ]
}

cagmad_alive() { [ -n "$CG_PID" ] && kill -0 "$CG_PID" 2>/dev/null; }

# cagmad_stop [SIGNAL] : stop it (default SIGTERM); returns its exit status.
cagmad_stop() {
	local rc
	kill -"${1:-TERM}" "$CG_PID" 2>/dev/null
	wait "$CG_PID" 2>/dev/null
	rc=$?
	CG_PID=""
	rm -f "$D/cagmad.sock"
	return $rc
}

target_of() { local t; t=$(xs_read "/local/domain/$1/memory/target"); echo "${t:-0}"; }

# agent_start N PROCDIR : the real agent as domain N (fakeguest runner).
declare -A AG_PID
agent_start() {
	local n=$1 dir=$2
	shift 2
	"$FAKEGUEST" --domid "$n" --target-kb "${TARGET_KB:-1048576}" \
		--max-kb "${MAX_KB:-4194304}" -- \
		"$CAGMA_AGENT" --foreground --config /dev/null --proc "$dir" \
		--interval 50ms --interval-max 50ms \
		--heartbeat "${HEARTBEAT:-500ms}" \
		--no-psi-trigger "$@" 2>>"$D/agent-$n.err" &
	AG_PID[$n]=$!
	track "${AG_PID[$n]}"
	wait_for 5 xenstore-exists "/local/domain/$n/data/cagma/stats"
}

# status_field DOMID FIELD : one field of cagmactl status --json for DOMID.
status_field() {
	"$CAGMACTL" --socket "$D/cagmad.sock" status --json 2>/dev/null |
		tr '{}' '\n\n' | grep "\"domid\": *$1[,}]\\|\"domid\": *$1\$" |
		sed -n "s/.*\"$2\": *\"\{0,1\}\([^\",]*\)\"\{0,1\}.*/\1/p" |
		head -n 1
}

# no_sanitizer_report FILE : no ASan/UBSan/crash text in FILE.
no_sanitizer_report() {
	not grep -qE 'AddressSanitizer|LeakSanitizer|runtime error:|Segmentation fault' "$1"
}

# stable_target N SECONDS : the target does not change for SECONDS.
stable_target() {
	local t0 i
	t0=$(target_of "$1")
	for i in $(seq $(($2 * 10))); do
		sleep 0.1
		[ "$(target_of "$1")" = "$t0" ] || return 1
	done
}

# settle_target N SECONDS DEADLINE_S : wait, at most DEADLINE_S, until the
# target has not changed for SECONDS.
settle_target() {
	local end=$(( $(date +%s) + $3 ))
	until stable_target "$1" "$2"; do
		[ "$(date +%s)" -lt "$end" ] || return 1
	done
}
