# job-latency.sh - the emergency path's latency on real Xen (issue 20,
# item 3; make bench-latency-xen, bench/lab/latency.sh parses the output).
# One guest "lat" (role latency: cagma-latprobe's pressure cycles).
#  1. cagmad not running: cagma-tgtbench sets the guest's target down and
#     up through backend_xen.c, libxl and direct interleaved
#     (tgtbench.txt).
#  2. per path in LAB_LAT_PATHS (default "libxl direct"): cagmad with
#     set_target = PATH, headroom 0 (the guest is shrunk back between
#     events), period and coalesce 10 s, max_shrink 512M (with the
#     defaults, 1 s and 100 ms, cagmad grew the guest from its ordinary
#     records while the probe's chunk was still being populated under TCG,
#     so nothing swapped in: 0 events in 22 cycles; urgent records are
#     served at once whatever the period), cagma-latwatch on dom0's clock (latwatch-PATH.txt), the
#     guest runs its cycles (data/lab/goK .. doneK).
# Result lines: "LAB: latency path=P events=N" and "LAB: CHECK ...".
LAT_PATHS=${LAB_LAT_PATHS:-libxl direct}

lat_run() {	# lat_run K PATH
	d=$(lab_domid lat)
	"$S/bin/cagma-latwatch" "$d" 3600 > "$OUT/latwatch-$2.txt" 2>&1 &
	_lw=$!
	LAB_SET_TARGET=$2 LAB_HEADROOM=${LAB_HEADROOM:-0} \
	    LAB_PERIOD=${LAB_PERIOD:-10s} LAB_COALESCE=${LAB_COALESCE:-10s} \
	    LAB_MAX_SHRINK=${LAB_MAX_SHRINK:-512M} lab_cagmad cagma ||
	    { kill $_lw; return 1; }
	cp "$OUT/cagmad.log" "$OUT/cagmad-$2.start" 2>/dev/null
	sleep 3
	xenstore-write "/local/domain/$d/data/lab/go$1" 1
	lab_res "latency go$1 path=$2 uptime=$(lab_up)"
	ok=0
	lab_wait_key "/local/domain/$d/data/lab/done$1" "${LAB_LAT_WAIT_S:-1500}" && ok=1
	lab_check "latency_run_$2" $ok "uptime=$(lab_up)"
	lab_cpu
	kill "$CAGMAD_PID" $_lw 2>/dev/null
	wait "$CAGMAD_PID" 2>/dev/null
	mv "$OUT/cagmad.log" "$OUT/cagmad-$2.log"
	CAGMAD_PID=""
}

lab_job() {
	set -- $LAT_PATHS
	lab_guest 0 lat "${LAB_LAT_MEM:-320}" "${LAB_LAT_MAXMEM:-1024}" latency \
	    "LAB_LAT_NPATHS=$# LAB_LAT_ARGS='${LAB_LAT_ARGS:-20 48 10 16}'" || return
	lab_wait_guests_ready 420 || return
	d=$(lab_domid lat)
	lab_wait_key /local/domain/$d/data/cagma/stats 120 ||
	    lab_fail "no agent record"
	XENSTORED_PID=$(pidof oxenstored xenstored | cut -d' ' -f1) \
	    "$S/bin/cagma-tgtbench" "$d" "${LAB_TGT_ROUNDS:-12}" 32 \
	    > "$OUT/tgtbench.txt" 2>&1
	rc=$?
	ok=0; [ $rc = 0 ] && ok=1
	lab_check tgtbench $ok "rc=$rc $(grep -c "^call" "$OUT/tgtbench.txt") calls"
	lab_go
	k=1
	for p in $LAT_PATHS; do
		lat_run $k "$p" || break
		k=$((k + 1))
	done
	lab_stop_guests 90
	lab_collect
	COLLECTED=1
}
