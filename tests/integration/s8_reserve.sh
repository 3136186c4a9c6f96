#!/bin/bash
# Scenario 8: reservations for new domains (issue 19) on the real
# xenstored, cagmad --backend sim on a 3.5 GiB host with three real agents
# at 1 GiB each (512 MiB free, 256 MiB above the reserve): 11 and 12 are
# idle, 13 uses almost all it has.  A request larger than what could be
# freed is refused at once with the figure; `cagmactl reserve 900M` waits
# while cagmad squeezes the idle guests (never below their CMA), is ready,
# is listed in status, and is released; Ctrl-C cancels a pending one;
# `cagmactl create` with a stand-in xl reserves memory + overhead, runs
# xl create and releases.
. "$(dirname "$0")/lib.sh"

have "$CAGMA_AGENT" "scenario 8" || it_finish
have "$CAGMAD" "scenario 8" || it_finish
have "$CAGMACTL" "scenario 8" || it_finish
SIM_HOST=3584M
SIM_RATE=102400		# balloons move 100 MiB/s: freeing takes time
check "xenstored starts" xs_start
check "cagmad --backend sim starts" cagmad_start
G=1048576
proc_fixture "$D/p11" $G 500000 600000 0
proc_fixture "$D/p12" $G 800000 900000 0
proc_fixture "$D/p13" $G 60000 98576 0
agent_start 11 "$D/p11"
agent_start 12 "$D/p12"
agent_start 13 "$D/p13"
sleep 1
ctl() { "$CAGMACTL" --socket "$D/cagmad.sock" "$@"; }
held() {
	ctl status --json | sed -n 's/.*"held_kb":\([0-9]*\).*/\1/p'
}
ctl reserve 8G --timeout 5 >"$D/huge.out" 2>"$D/huge.err"
rc=$?
cat "$D/huge.err"
check "a request larger than what can be freed is refused at once (exit 3)" \
	[ $rc = 3 ]
check "the refusal says how much could be freed" \
	grep -q 'at most [0-9]* MiB can be freed now' "$D/huge.err"
check "a refused request holds nothing" [ "$(held)" = 0 ]
sum0=$(( $(target_of 11) + $(target_of 12) + $(target_of 13) ))
t0=$(date +%s%N)
ctl reserve 900M --timeout 20 >"$D/r1.out" 2>"$D/r1.err"
rc=$?
cat "$D/r1.out" "$D/r1.err"
check "cagmactl reserve 900M waits until ready (exit 0)" [ $rc = 0 ]
check "it reports the time spent freeing" \
	grep -q 'ready: 921600 KiB freed in [0-9.]* s' "$D/r1.out"
id=$(sed -n 's/^reservation \([0-9]*\) ready.*/\1/p' "$D/r1.out")
sum1=$(( $(target_of 11) + $(target_of 12) + $(target_of 13) ))
echo "targets: $sum0 KiB before, $sum1 KiB after ($(target_of 11) $(target_of 12) $(target_of 13))"
above0=$((3670016 - sum0 - 262144))
check "the guests' targets shrank by what free memory lacked" \
	[ $((sum0 - sum1)) -ge $((921600 - above0)) ]
for n in 11 12 13; do
	cma=$(status_field $n cma_kb)
	check "domain $n stays at or above its CMA ($(target_of $n) >= $cma KiB)" \
		[ "$(target_of $n)" -ge "${cma:-0}" ]
done
check "the busy domain 13 keeps what it uses" \
	[ "$(target_of 13)" -ge $((G - 98576)) ]
check "the reservation is held (status-json held_kb)" [ "$(held)" = 921600 ]
check "status lists it as ready" \
	grep -q "reservation id=$id state=ready size_kb=921600" \
	<<<"$(ctl status)"
check "cagmactl release frees the hold" ctl release "$id"
check "released: held_kb 0" [ "$(held)" = 0 ]
check "status lists it as done" \
	grep -q "reservation id=$id state=done" <<<"$(ctl status)"
check "releasing it again is an error" not ctl release "$id"
# a pending request cancelled by SIGINT (as Ctrl-C)
# (cagmactl itself, not a subshell, so the signal reaches it)
"$CAGMACTL" --socket "$D/cagmad.sock" reserve 1400M --timeout 30 \
	>"$D/r2.out" 2>"$D/r2.err" &
cp=$!
wait_expr 5 '[ "$(held)" = 1433600 ]'
kill -INT $cp
wait $cp
rc=$?
cat "$D/r2.out" "$D/r2.err"
check "Ctrl-C cancels a waiting reservation (exit 5)" [ $rc = 5 ]
check "cancelled: nothing held" [ "$(held)" = 0 ]
check "status lists it as cancelled" \
	grep -q "state=cancelled size_kb=1433600" <<<"$(ctl status)"
# cagmactl create with a stand-in xl: dry-run JSON, create, domid
cat >"$D/fakexl" <<EOF
#!/bin/sh
case "\$1 \$2" in
"create -n") printf '{\n    "c_info": {\n        "type": "pv",\n        "name": "newvm"\n    },\n    "b_info": {\n        "max_vcpus": 1,\n        "max_memkb": 786432,\n        "target_memkb": 524288\n    }\n}\n' ;;
"create "*) echo "\$@" >"$D/xl-create.args"; sleep 0.5; touch "$D/created" ;;
"domid newvm") [ -e "$D/created" ] && echo 42 ;;
*) exit 1 ;;
esac
EOF
chmod +x "$D/fakexl"
echo 'memory = 512' >"$D/newvm.cfg"
CAGMACTL_XL="$D/fakexl" ctl create --timeout 20 "$D/newvm.cfg" vcpus=1 \
	>"$D/c.out" 2>"$D/c.err"
rc=$?
cat "$D/c.out" "$D/c.err"
check "cagmactl create succeeds (exit 0)" [ $rc = 0 ]
check "it ran xl create with the config and the extra args" \
	grep -qx "create $D/newvm.cfg vcpus=1" "$D/xl-create.args"
check "it reports memory, overhead, freeing and creating times" \
	grep -q 'newvm: memory 512 MiB (max 768 MiB) + overhead 2048 KiB: freed in [0-9.]* s, created in [0-9.]* s' "$D/c.out"
check "the create's reservation (memory + overhead) is released" \
	grep -q "state=done size_kb=526336" <<<"$(ctl status)"
check "nothing held after create" [ "$(held)" = 0 ]
echo 'bad' >"$D/bad.cfg"
CAGMACTL_XL=/bin/false ctl create "$D/bad.cfg" 2>/dev/null
check "a config xl cannot parse: exit 7" [ $? = 7 ]
ctl status | tail -n 6
check "cagmad alive" cagmad_alive
check "no crash report from cagmad" no_sanitizer_report "$D/cagmad.err"
check "cagmad stops cleanly on SIGTERM" cagmad_stop
it_finish
