# job-paper.sh - the paper's experiment on the lab (sourced by dom0.sh).
# Three PV guests, vm1..vm3, sized and loaded as the scenario file says
# (run-lab.sh hands over cagma-sim --lab's LAB_VMn_*; paper.scn: start
# 512 MiB, maxmem 2500 / 1500 / 3000 MiB, as in the paper), run their
# workloads in phases of LAB_PHASE_S seconds (paper: ~61 s): memory tasks
# of LAB_TASK_MIB (paper 48 MiB) and O_DIRECT|O_SYNC disk tasks per phase.
# cagmad runs policy LAB_POLICY (static, cagma-paper, qmemman, cagma).  dom0
# samples targets and host free memory; the guests sample swap and disk
# counters.

# lab_paper_guest I NAME: create guest I from its LAB_VMn_* settings
lab_paper_guest() {
	eval "_st=\${LAB_VM$(($1 + 1))_START:-} _mx=\${LAB_VM$(($1 + 1))_MAX:-}
	    _mt=\${LAB_VM$(($1 + 1))_TASKS:-} _dk=\${LAB_VM$(($1 + 1))_DISK:-}"
	[ -n "$_st" ] && [ -n "$_mx" ] && [ -n "$_mt" ] || {
		lab_fail "$2: no LAB_VM$(($1 + 1))_* settings (run-lab.sh paper sets them from LAB_SCENARIO)"
		return 1
	}
	lab_guest "$1" "$2" "$_st" "$_mx" phases \
	    "LAB_MEMTASKS=$_mt LAB_DISKTASKS=$_dk"
}

lab_job() {
	pol=${LAB_POLICY:-cagma}
	lab_res "paper policy=$pol scenario=${LAB_SCN_NAME:-?} phases=${LAB_SCN_PHASES:-?} phase_s=${LAB_PHASE_S:-30} task_mib=${LAB_TASK_MIB:-48}"
	lab_paper_guest 0 vm1 || return
	# boot one guest before creating the next: a booting guest slows dom0's
	# hotplug scripts past libxl's 40 s timeout on a loaded host
	lab_wait_guests_ready 300 || return
	lab_paper_guest 1 vm2 || return
	lab_wait_guests_ready 300 || return
	lab_paper_guest 2 vm3 || return
	lab_wait_guests_ready 600 || return
	for g in $GUESTS; do
		lab_wait_key "/local/domain/$(lab_domid $g)/data/cagma/stats" 120 ||
		    lab_res "$g: no agent record yet"
	done
	lab_cagmad "$pol" || return
	lab_view "${LAB_VIEW_S:-10}"
	lab_sampler "$OUT/samples.txt"
	lab_go
	# phases + margin for TCG start-up of the tasks
	nph=${LAB_SCN_PHASES:-6}
	limit=$((nph * (${LAB_PHASE_S:-30} + 30) + 120))
	for g in $GUESTS; do
		lab_wait_key "/local/domain/$(lab_domid $g)/data/lab/done" "$limit" ||
		    lab_fail "$g: phases not done within $limit s"
	done
	lab_res "phases_end uptime=$(lab_up)"
	lab_stop_bg
	kill -0 "$CAGMAD_PID" 2>/dev/null || lab_fail "cagmad died during the run"
	lab_stop_guests 120
	lab_collect
	COLLECTED=1
	lab_summary
}

# what moved where, per guest: the size it was created with (results.txt's
# "created" line: dom0's sampler starts after cagmad's first moves), then
# the largest and last target dom0 sampled
lab_summary() {
	awk 'FNR == NR { if ($1 == "created") for (i = 3; i <= NF; i++)
			if ($i ~ /^mem=/) created[$2] = substr($i, 5)
		next }
		{ n = $2; if (!(n in last)) order[++k] = n
		if ($4 > max[n]) max[n] = $4; last[n] = $4 }
		END { for (i = 1; i <= k; i++) { n = order[i]
			printf "LAB: SUMMARY %s target created=%s max=%d last=%d MiB\n",
			    n, (n in created) ? created[n] : "?", max[n] / 1024,
			    last[n] / 1024 } }' \
	    "$OUT/results.txt" "$OUT/samples.txt" | tee -a "$OUT/results.txt"
}
