# scenario.sh - sourced (POSIX sh) by run-lab.sh, demo.sh and report.sh:
# the paper job's settings from a cagma-sim scenario file.
#
# lab_scenario SCN [FIRST-LAST]
#   Runs `cagma-sim --scenario SCN --lab=FIRST-LAST` (the simulator's own
#   parser and the lab's checks: bench/sim/lab.c, bench/scenarios/FORMAT.md)
#   and exports the 14 settings it prints: LAB_SCN_NAME, LAB_SCN_PHASES and
#   LAB_VMn_START, _MAX (MiB), _TASKS, _DISK (per phase) for n = 1..3.
#   cagma-sim is $CAGMA_SIM, default $HERE/../../build/bin/cagma-sim (the
#   caller sets HERE to bench/lab; make builds it).  Returns 0, or 2 with
#   one line on stderr (cagma-sim's "file:line: message", or ours).
#
# Nothing cagma-sim prints is run as shell code (no eval, no sourcing):
# each line must be KEY=VALUE, KEY one of the 14 names above and each at
# most once, VALUE non-empty and only of [A-Za-z0-9_,.-]; any other line
# refuses the whole output, and nothing is exported.  Then each value is
# assigned with export "KEY=VALUE": one word, which the shell does not
# parse again.

lab_scenario() {
	_ls_sim=${CAGMA_SIM:-$HERE/../../build/bin/cagma-sim}
	_ls_ok=ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_,.-
	if [ ! -x "$_ls_sim" ]; then
		echo "lab_scenario: $_ls_sim not built (make)" >&2
		return 2
	fi
	_ls_out=$("$_ls_sim" --scenario "$1" --lab="${2:-}") || return 2
	_ls_seen=" " _ls_n=0
	while IFS= read -r _ls_line; do
		_ls_k=${_ls_line%%=*} _ls_v=${_ls_line#*=}
		case $_ls_k in
		LAB_SCN_NAME | LAB_SCN_PHASES | LAB_VM[123]_START | \
		    LAB_VM[123]_MAX | LAB_VM[123]_TASKS | LAB_VM[123]_DISK) ;;
		*) _ls_k="" ;;
		esac
		case $_ls_line in *=*) ;; *) _ls_k="" ;; esac
		case $_ls_seen in *" $_ls_k "*) _ls_k="" ;; esac
		case $_ls_v in "" | *[!$_ls_ok]*) _ls_k="" ;; esac
		if [ -z "$_ls_k" ]; then
			echo "lab_scenario: $_ls_sim: output line" \
			    "$((_ls_n + 1)) is not one of the settings" >&2
			return 2
		fi
		_ls_seen="$_ls_seen$_ls_k " _ls_n=$((_ls_n + 1))
	done <<EOF
$_ls_out
EOF
	if [ "$_ls_n" -ne 14 ]; then
		echo "lab_scenario: $_ls_sim: $_ls_n settings, not 14" >&2
		return 2
	fi
	# all or nothing: export only once every line has passed
	while IFS= read -r _ls_line; do
		export "${_ls_line%%=*}=${_ls_line#*=}"
	done <<EOF
$_ls_out
EOF
}
