#!/bin/bash
# Scenario 0: the harness itself.  The real xenstored runs under the fakexen
# shim; fake guests are introduced the libxl way and xenstored enforces
# guest permissions on them; watches fire both ways; domain death and a
# xenstored restart behave as on Xen.
. "$(dirname "$0")/lib.sh"

check "xenstored starts under the shim and serves dom0" xs_start
xs_alive || it_finish

xenstore-write /test/a one
check "dom0 write/read" [ "$(xs_read /test/a)" = one ]

check "fake guest 5 starts" guest_start 5 --target-kb 1048576 --max-kb 2097152
guest_start 6 >/dev/null
check "domain 5 introduced" [ "$("$XSTOOL" introduced 5)" = T ]
check "domain 9 not introduced" [ "$("$XSTOOL" introduced 9)" = F ]

# permission matrix, acting as domain 5
P=/local/domain/5
gw() { as_guest 5 "$XSTOOL" write "$1" "$2"; }
check "guest writes data/x (relative)" [ "$(gw data/x hello)" = OK ]
check "guest writes $P/data/y (absolute)" [ "$(gw $P/data/y world)" = OK ]
check "guest write memory/target refused" [ "$(gw memory/target 9)" = EACCES ]
check "guest write $P/memory/target refused" \
	[ "$(gw $P/memory/target 9)" = EACCES ]
check "guest write memory/static-max refused" \
	[ "$(gw memory/static-max 9)" = EACCES ]
check "guest write ~/name refused" [ "$(gw name evil)" = EACCES ]
check "guest creates ~/evil outside data/ refused" [ "$(gw evil 1)" = EACCES ]
check "guest write other domain's data/ refused" \
	[ "$(gw /local/domain/6/data/x 1)" = EACCES ]
check "guest write /local/domain/0 refused" \
	[ "$(gw /local/domain/0/x 1)" = EACCES ]
check "guest write /tool refused" [ "$(gw /tool/x 1)" = EACCES ]
check "guest rm memory/target refused" \
	[ "$(as_guest 5 "$XSTOOL" rm memory/target)" = EACCES ]
check "guest rm ~/memory refused" \
	[ "$(as_guest 5 "$XSTOOL" rm memory)" = EACCES ]
check "target unchanged after refused writes" \
	[ "$(xs_read $P/memory/target)" = 1048576 ]
check "guest reads its memory/target" \
	[ "$(as_guest 5 xenstore-read memory/target)" = 1048576 ]
check "guest cannot read other domain's node" \
	not as_guest 5 xenstore-read /local/domain/6/name 2>/dev/null
check "dom0 reads the guest's data/x" [ "$(xs_read $P/data/x)" = hello ]

# a guest watch fires on dom0's write; a dom0 watch fires on the guest's write
as_guest 5 timeout 5 xenstore-watch -n 2 memory/target >"$D/gw.out" &
W=$!
wait_for 3 [ -s "$D/gw.out" ]
xenstore-write $P/memory/target 524288
wait $W
check "guest watch fires on dom0 write of memory/target" \
	[ "$(tail -n 1 "$D/gw.out")" = memory/target ]
timeout 5 xenstore-watch -n 2 $P/data/cagma >"$D/dw.out" &
W=$!
wait_for 3 [ -s "$D/dw.out" ]
as_guest 5 xenstore-write data/cagma/stats v=1
wait $W
check "dom0 watch fires on the guest's data/cagma write" \
	[ "$(tail -n 1 "$D/dw.out")" = $P/data/cagma/stats ]

lat=$("$XSTOOL" lat "$(gsock 5)" "$D/socket" $P/data/lat 200)
med=$(echo "$lat" | sed -n 's/.*median_us=\([0-9]*\).*/\1/p')
echo "raw watch round trip guest write -> dom0 watch: $lat"
check "raw watch round trip median < 50 ms" [ "${med:-999999}" -lt 50000 ]

# runner mode: an unmodified libxenstore program as domain 7 / 8
check "fakeguest -- xenstore-write data/z runs as domain 7" \
	"$FAKEGUEST" --domid 7 -- xenstore-write data/z 1
check "... and the value landed in /local/domain/7/data/z" \
	[ "$(xs_read /local/domain/7/data/z)" = 1 ]
check "fakeguest -- xenstore-write memory/target fails as domain 8" \
	not "$FAKEGUEST" --domid 8 -- xenstore-write memory/target 1 2>/dev/null
check "fakeguest passes the exit status through" \
	[ "$("$FAKEGUEST" --domid 9 -- sh -c 'exit 3'; echo $?)" = 3 ]

# domain death: dying marker + VIRQ_DOM_EXC -> @releaseDomain
timeout 5 xenstore-watch -n 2 @releaseDomain >"$D/rel.out" &
W=$!
wait_for 3 [ -s "$D/rel.out" ]
touch "$D/dying-6"
"$XSTOOL" virq
wait $W
check "dying domain fires @releaseDomain" [ "$(wc -l <"$D/rel.out")" = 2 ]
check "dying domain no longer introduced" [ "$("$XSTOOL" introduced 6)" = F ]

# xenstored restart: fakeguest re-lays-out and re-introduces on SIGHUP
xs_stop
check "xenstored restarts" xs_start
kill -HUP "${G_PID[5]}"
check "domain 5 re-introduced after restart" \
	wait_expr 5 '[ "$("$XSTOOL" introduced 5)" = T ]'
check "guest writes again after restart" [ "$(gw data/x again)" = OK ]
check "permissions enforced after restart" \
	[ "$(gw memory/target 9)" = EACCES ]
check "xenstored still alive" xs_alive
it_finish
