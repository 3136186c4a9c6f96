#!/bin/bash
# Scenario 10: cagmad-libvirt against libvirt's own test driver
# (test:///default: one running domain "test", 2 GiB of an 8 GiB maximum,
# fixed balloon statistics: MemTotal 2 GiB, MemAvailable 1 GiB, a
# last_update that never moves), no libvirtd,
# no QEMU, no xenstore.  Records are built from the statistics and accepted,
# targets move (virDomainSetMemory) and stop at the safety floor (used 1 GiB
# + max(64 MiB, 10 %)), `cagmad --backend libvirt` runs cagmad-libvirt, a
# bad URI is a clear start-up error, SIGTERM a clean exit.  The KVM lab
# (libvirtd, TCG guests) is hL's make e2e-kvm.
. "$(dirname "$0")/lib.sh"

LV=$CAGMA_BUILD/bin/cagmad-libvirt
if [ ! -x "$LV" ] && ! pkg-config --exists libvirt 2>/dev/null; then
	# built without libvirt (optional): the Xen cagmad says where it is
	"$CAGMA_BUILD/bin/cagmad" --backend libvirt -n -c /dev/null \
	    >/dev/null 2>"$D/nolv.err"
	rc=$?
	check "no libvirt here: cagmad --backend libvirt exits 2 (rc $rc)" \
	    [ "$rc" -eq 2 ]
	check "... naming cagmad-libvirt and its package" \
	    grep -q 'is in cagmad-libvirt (package cagmad-libvirt)' "$D/nolv.err"
	it_finish
fi
have "$LV" "scenario 10 (cagmad-libvirt)" || it_finish
check "cagmad-libvirt links no Xen library" \
	not sh -c "readelf -d '$LV' | grep -q 'NEEDED.*libxen'"
check "cagmad-libvirt links libvirt" \
	sh -c "readelf -d '$LV' | grep -q 'NEEDED.*libvirt'"

# threshold (seed 000) would shrink the guest further: the floor clamps it
printf '[global]\npolicy = threshold\nperiod = 500ms\nfloor = 128M\nheadroom = 0\nshrink_rate = 512M\n[libvirt]\nstats_period = 1\n' \
	>"$D/lv.conf"
# no xenstore anywhere: a Xen call would fail on this socket
XENSTORED_PATH=$D/no-such-socket "$LV" --foreground --connect test:///default \
	--config "$D/lv.conf" --socket "$D/cagmad.sock" 2>"$D/lv.err" &
LV_PID=$!
track $LV_PID
check "cagmad-libvirt serves its control socket" wait_for 10 [ -S "$D/cagmad.sock" ]
check "it tracks the test driver's domain" \
	grep -q "domid 1: tracking 'test' (current 2097152 KiB" "$D/lv.err"
# (the test driver's last_update never moves: one record, then repeats of
# the same sample, which are not records)
check "a record from the balloon statistics arrives" \
	wait_expr 10 '[ "$(status_field 1 records)" -ge 1 ] 2>/dev/null'
check "the domain is ok (not no-agent, not bad-data)" \
	[ "$(status_field 1 state)" = ok ]
check "a target moved (virDomainSetMemory)" \
	wait_expr 10 '[ "$(status_field 1 target_kb)" -lt 2097152 ] 2>/dev/null'
# used 1 GiB: floor = 1048576 + max(65536, 1048576 / 100 * 10) KiB
check "the target settles" \
	wait_expr 30 '[ "$(status_field 1 target_kb)" = "$(sleep 2; status_field 1 target_kb)" ]'
t=$(status_field 1 target_kb)
check "settled at the safety floor: $t = 1153426 KiB (used + 10 %)" \
	[ "${t:-0}" -eq 1153426 ]
check "the policy's own target was clamped to it" \
	grep -q 'target [0-9]* -> 1153426 KiB (clamp)' "$D/lv.err"
kill -TERM $LV_PID
wait $LV_PID
rc=$?
check "SIGTERM: exit 0 (rc $rc)" [ "$rc" -eq 0 ]
check "it logs its libvirt call figures at exit" \
	grep -q 'libvirt: [0-9]* virDomainMemoryStats calls, mean' "$D/lv.err"
sed 's/^/  | /' "$D/lv.err" | grep -v 'target .* -> ' | tail -n 3

# cagmad (the Xen program) --backend libvirt runs cagmad-libvirt
"$CAGMA_BUILD/bin/cagmad" --backend libvirt --foreground \
	--connect test:///default --config "$D/lv.conf" \
	--socket "$D/cagmad2.sock" 2>"$D/x.err" &
X_PID=$!
track $X_PID
check "cagmad --backend libvirt is cagmad-libvirt" \
	wait_for 10 grep -q '^cagmad-libvirt: started: backend libvirt' "$D/x.err"
kill -TERM $X_PID
wait $X_PID

timeout 20 "$LV" --foreground --connect test:///nonesuch -c /dev/null \
	--socket "$D/cagmad3.sock" >/dev/null 2>"$D/bad.err"
rc=$?
check "a bad URI: exit 3 (rc $rc)" [ "$rc" -eq 3 ]
check "... saying it cannot connect" \
	grep -q 'cannot connect to test:///nonesuch' "$D/bad.err"
it_finish
