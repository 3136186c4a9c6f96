#!/bin/bash
# Scenario 5: faults.  cagmad killed and restarted (no target thrash), the
# agent killed (domain goes stale, target not cut below its CMA), a domain
# released mid-cycle, and xenstored killed and restarted (agent and cagmad
# recover and resume).
. "$(dirname "$0")/lib.sh"

have "$CAGMA_AGENT" "scenario 5" || it_finish
have "$CAGMAD" "scenario 5" || it_finish
check "xenstored starts" xs_start
check "cagmad starts (stale = 2s)" cagmad_start "stale = 2s"
G=1048576
proc_fixture "$D/p41" $G 60000 98576 0		# balanced: needs ~ its target
proc_fixture "$D/p43" $G 10000 20000 1000	# busy; starving below
agent_start 41 "$D/p41"
agent_start 43 "$D/p43"
guest_start 42 >/dev/null
proc_fixture "$D/p43" $G 10000 20000 9000 8192
wait_expr 5 '[ "$(target_of 43)" -gt $G ]'
check "setup: 41 and 43 settle" stable_target 41 2

# --- cagmad killed (SIGKILL) and restarted: no thrash -------------------
t41=$(target_of 41)
t43=$(target_of 43)
"$XSTOOL" watchlog /local/domain/41/memory/target >"$D/t41.log" 2>/dev/null &
track $!
cagmad_stop KILL
check "cagmad restarts after SIGKILL" cagmad_start "stale = 2s"
sleep 3
check "restart: 41 (within hysteresis) keeps its target $t41" \
	[ "$(target_of 41)" = "$t41" ]
# 43's emergency boost may be re-estimated, but never below what it uses
check "restart: 43 keeps at least what it uses ($(target_of 43) >= 1028576)" \
	[ "$(target_of 43)" -ge 1028576 ]
check "restart: 41's target never moved (values: $(sort -u "$D/t41.log" | tr '\n' ' '))" \
	[ "$(sort -u "$D/t41.log" | tr -d '\n')" = "$t41" ]

# --- agent killed: stale, target not reduced below its last CMA ----------
cma=""
[ -x "$CAGMACTL" ] && cma=$(status_field 43 cma_kb)
t43=$(target_of 43)
agent43=$(pgrep -P "${AG_PID[43]}")
kill -KILL $agent43		# the agent dies; its fakeguest exits too
wait "${AG_PID[43]}" 2>/dev/null
sleep 3.5
if [ -x "$CAGMACTL" ]; then
	st=$(status_field 43 state)
	check "killed agent: 43 marked stale ($st)" [ "$st" = stale ]
	check "killed agent: target $(target_of 43) >= last CMA ${cma}" \
		[ "$(target_of 43)" -ge "${cma:-999999999999}" ]
else
	skip "stale state check: $CAGMACTL not built yet"
fi
check "killed agent: target not reduced ($t43)" \
	[ "$(target_of 43)" -ge "$t43" ]

# --- domain released mid-cycle ------------------------------------------
"$XSTOOL" release 42
"$XSTOOL" destroy 42
kill "${G_PID[42]}"
sleep 1.5
check "released domain: cagmad alive" cagmad_alive
check "released domain: cagmad did not recreate its nodes" \
	not xenstore-exists /local/domain/42
if [ -x "$CAGMACTL" ]; then
	check "released domain: gone from cagmactl status" \
		wait_expr 5 '[ -z "$(status_field 42 domid)" ]'
fi

# --- xenstored killed and restarted -------------------------------------
xs_stop KILL
sleep 0.5
check "xenstored restarts after SIGKILL" xs_start
kill -HUP "${AG_PID[41]}"	# the toolstack re-creates and re-introduces 41
check "agent 41 publishes again" \
	wait_for 10 xenstore-exists /local/domain/41/data/cagma/stats
check "cagmad survived the xenstored restart" cagmad_alive
proc_fixture "$D/p41" $G 10000 20000 9000 8192	# 41 now starving
check "cagmad resumes: 41's emergency gets a new target" \
	wait_expr 10 '[ "$(target_of 41)" -gt $G ]'
check "no crash report from cagmad" no_sanitizer_report "$D/cagmad.err"
check "cagmad stops cleanly" cagmad_stop
it_finish
