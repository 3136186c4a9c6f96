# tests/e2e/lib.sh - sourced by tests/e2e/run.sh (Xen) and tests/e2e/kvm.sh
# (KVM): the layer's closing line and the tally of a lab run's
# "CHECK name PASS|FAIL" lines.  The caller sets layer (the layer's name)
# and out (RESULTS_DIR/LAYER.txt, where every line also goes).
# shellcheck shell=sh disable=SC2034,SC2154 # layer, out: the caller's; pass, fail: for it

# e2e_finish PASS FAIL: "LAYER: PASS passed, FAIL failed", the layer's last
# line; exits, non-zero when FAIL is.
e2e_finish() {
	echo "$layer: $1 passed, $2 failed" | tee -a "$out"
	[ "$2" -eq 0 ]
	exit $?
}

# e2e_tally RESULTS LAB_RC CHECK...: copies the CHECK and NOTE (reported,
# not asserted) lines of the lab's RESULTS file and sets pass and fail from
# its CHECK lines.  Each CHECK named that did not run counts as failed (a
# run that stops early fails them all), and a lab run that failed (LAB_RC
# non-zero) without a failed check fails once.
e2e_tally() {
	e2e_res=$1 e2e_rc=$2
	shift 2
	pass=0 fail=0
	if [ -f "$e2e_res" ]; then
		grep -E '^(CHECK|NOTE) ' "$e2e_res" | tee -a "$out"
		pass=$(grep -c '^CHECK [^ ]* PASS' "$e2e_res")
		fail=$(grep -c '^CHECK [^ ]* FAIL' "$e2e_res")
	fi
	for e2e_c in "$@"; do
		if ! grep -q "^CHECK $e2e_c " "$e2e_res" 2>/dev/null; then
			echo "CHECK $e2e_c FAIL (did not run)" | tee -a "$out"
			fail=$((fail + 1))
		fi
	done
	if [ "$e2e_rc" -ne 0 ] && [ "$fail" -eq 0 ]; then
		echo "$layer: FAIL: lab run failed (rc=$e2e_rc) without a failed check" |
		    tee -a "$out"
		fail=1
	fi
}
