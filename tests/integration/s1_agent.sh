#!/bin/bash
# Scenario 1: the real cagma-agent, run unmodified as guest domain 5 by
# fakeguest, publishes through domain 5's ring; its record appears under
# /local/domain/5/data/cagma/stats; domain 5 cannot write memory/target or
# another domain's data/; the agent survives a xenstored restart.
. "$(dirname "$0")/lib.sh"

have "$CAGMA_AGENT" "scenario 1 (agent)" || it_finish
check "xenstored starts" xs_start
guest_start 6 >/dev/null

P=/local/domain/5
proc_fixture "$D/proc5" 1048576 400000 600000 0
"$FAKEGUEST" --domid 5 --target-kb 1048576 --max-kb 2097152 -- \
	"$CAGMA_AGENT" --foreground --config /dev/null --proc "$D/proc5" \
	--interval 50ms --interval-max 50ms --heartbeat 1s --no-psi-trigger \
	2>"$D/agent.err" &
AG=$!
track $AG

check "agent's record appears at $P/data/cagma/stats" \
	wait_for 5 xenstore-exists $P/data/cagma/stats
check "agent wrote data/cagma/version = 1" \
	[ "$(xs_read $P/data/cagma/version)" = 1 ]
r=$(stats_of 5)
echo "record: $r"
check "record carries the fixture's mem_total" \
	[ "$(rec_field mem_total "$r")" = 1048576 ]
check "record carries the fixture's mem_avail" \
	[ "$(rec_field mem_avail "$r")" = 600000 ]
check "record is not urgent while calm" [ "$(rec_field urgent "$r")" = 0 ]
check "agent writes only data/cagma/{stats,version}" \
	[ "$(xenstore-list $P/data/cagma | sort | tr '\n' ' ')" = "stats version " ]
check "the record is owned by domain 5" \
	[ "$(xenstore-ls -p $P/data/cagma | sed -n 's/^stats = .*(\(.*\))$/\1/p')" = n5 ]

gw() { as_guest 5 "$XSTOOL" write "$1" "$2"; }
check "domain 5 write to memory/target refused (agent running)" \
	[ "$(gw memory/target 4194304)" = EACCES ]
check "domain 5 write to domain 6's data/ refused" \
	[ "$(gw /local/domain/6/data/cagma/stats v=1)" = EACCES ]
check "memory/target unchanged" [ "$(xs_read $P/memory/target)" = 1048576 ]

seq1=$(rec_field seq "$(stats_of 5)")
sleep 1.5
seq2=$(rec_field seq "$(stats_of 5)")
check "heartbeat: seq grows while calm ($seq1 -> $seq2)" \
	[ "${seq2:-0}" -gt "${seq1:-0}" ]

urgent_seen() { [ "$(rec_field urgent "$(stats_of 5)")" = 1 ]; }
proc_fixture "$D/proc5" 1048576 20000 30000 5000 4096
check "swap-ins make the agent publish urgent=1" wait_for 3 urgent_seen
check "urgent record reports the new mem_avail" \
	[ "$(rec_field mem_avail "$(stats_of 5)")" = 30000 ]

# xenstored restart: the toolstack re-creates and re-introduces domain 5
xs_stop
check "xenstored restarts" xs_start
kill -HUP $AG
check "agent publishes again after the xenstored restart" \
	wait_for 10 xenstore-exists $P/data/cagma/stats
check "agent still running" kill -0 $AG
check "no sanitizer or crash report from the agent" \
	not grep -qE 'AddressSanitizer|runtime error|Segmentation' "$D/agent.err"
kill $AG
wait $AG
check "agent stops on SIGTERM, exit 0 through fakeguest" [ $? = 0 ]
it_finish
