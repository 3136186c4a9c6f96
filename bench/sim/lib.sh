# lib.sh - shared by run-bench.sh and pool-sweep.sh (sourced; needs
# set -e in the caller, so that a failing cagma-sim run stops the bench).
# sim_table BIN SEEDS "POLICIES" RAW CSV MD SCENARIO...: every policy on
# every scenario over seeds 1..SEEDS (summary lines in RAW), aggregated by
# summary.awk into CSV and MD.
sim_table() {
	_bin=$1 _seeds=$2 _pols=$3 _raw=$4 _csv=$5 _md=$6
	shift 6
	: >"$_raw"
	for _scn in "$@"; do
		for _p in $_pols; do
			_s=1
			while [ "$_s" -le "$_seeds" ]; do
				"$_bin" --scenario "$_scn" --policy "$_p" \
				    --seed "$_s" >>"$_raw"
				_s=$((_s + 1))
			done
		done
	done
	awk -f "$(dirname "$0")/summary.awk" -v csv="$_csv" -v md="$_md" \
	    "$_raw"
}
