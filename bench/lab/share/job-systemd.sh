# job-systemd.sh - the packages under Debian's own init (sourced by dom0.sh;
# run-lab.sh boots dom0 and the guest with init=/lib/systemd/systemd and
# runs the lab init as cagma-lab.service).  dom0 installs cagmad from its
# .deb with apt, the guest installs cagma-agent the same way (domU.sh);
# dh_installsystemd's scripts enable and start both units.  Checks, one
# "CHECK name PASS|FAIL" each:
#  apt_cagmad       apt-get install ./cagmad_*.deb succeeded
#  unit_cagmad      cagmad.service enabled and active after the install
#  unit_order       cagmad.service is ordered after xen.service (active) and
#                   xendomains.service
#  unit_agent       cagma-agent.service enabled and active in the guest
#  record           the agent's record arrives in dom0's xenstore
#  reload           `systemctl reload cagmad` (after headroom = 0 went into
#                   cagmad.conf): the same process logs "reloaded"
#  target_moved     ... and shrinks the idle guest's target by > 64 MiB (the
#                   shipped headroom = 100 % leaves it alone on a host
#                   with spare memory)
#  stop_clean       `systemctl stop cagmad`: inactive, Result=success
#  journal_cagmad   journalctl -u cagmad has cagmad's and libxl's lines (libxl
#                   is quiet when all goes well: the job removes the
#                   guest's memory/static-max for a moment, so libxl's
#                   set_memory_target fails and says why)
SD_GUEST=sd

# sd_wait_target NAME CMP KB SECONDS: until memory/target CMP KB (-lt, -ge)
sd_wait_target() {
	_end=$(($(lab_uptime_s) + $4))
	while [ "$(lab_uptime_s)" -lt $_end ]; do
		_tg=$(xenstore-read "/local/domain/$(lab_domid "$1")/memory/target" 2>/dev/null)
		[ -n "$_tg" ] && [ "$_tg" "$2" "$3" ] && return 0
		sleep 1
	done
	return 1
}
sd_target() {
	xenstore-read "/local/domain/$(lab_domid "$1")/memory/target" 2>/dev/null
}

lab_job() {
	cp "$OUT/failed-units.txt" "$OUT/failed-units-boot.txt" 2>/dev/null
	ok=0
	DEBIAN_FRONTEND=noninteractive apt-get install -y "$S"/deb/cagmad_*.deb \
	    > "$OUT/apt-cagmad.log" 2>&1 && ok=1
	lab_check apt_cagmad $ok "$(tail -n 1 "$OUT/apt-cagmad.log")"
	[ $ok = 1 ] || { tail -n 20 "$OUT/apt-cagmad.log"; return 1; }
	sleep 3
	en=$(systemctl is-enabled cagmad.service 2>&1)
	ac=$(systemctl is-active cagmad.service 2>&1)
	pid0=$(systemctl show -p MainPID --value cagmad.service)
	ok=0
	[ "$en" = enabled ] && [ "$ac" = active ] && ok=1
	lab_check unit_cagmad $ok "enabled=$en active=$ac pid=$pid0"
	systemctl status --no-pager cagmad.service > "$OUT/cagmad-status.txt" 2>&1
	# at boot: after Debian's xen.service (xenstored, xenconsoled; a SysV
	# script on Debian 12, a unit on 13) and xendomains.service
	aft=$(systemctl show -p After --value cagmad.service)
	ok=0
	case " $aft " in *" xen.service "*)
		case " $aft " in *" xendomains.service "*)
			[ "$(systemctl is-active xen.service)" = active ] &&
			    ok=1 ;;
		esac ;;
	esac
	lab_check unit_order $ok "After=$(echo "$aft" | tr ' ' '\n' | grep -E '^xen' | tr '\n' ' ')"

	# the guest installs cagma-agent from its .deb (domU.sh)
	LAB_AGENT_DEB=$(ls "$S"/deb/cagma-agent_*.deb | head -n 1) \
	    lab_guest 0 $SD_GUEST 512 1024 idle || return
	lab_view 10
	lab_wait_guests_ready 420 || return
	d=$(lab_domid $SD_GUEST)
	ag=$(xenstore-read /local/domain/$d/data/lab/agent_unit 2>/dev/null)
	ok=0
	[ "$ag" = "enabled active" ] && ok=1
	lab_check unit_agent $ok "guest: $ag"
	ok=0
	lab_wait_key /local/domain/$d/data/cagma/stats 120 && ok=1
	lab_check record $ok "stats=\"$(xenstore-read /local/domain/$d/data/cagma/stats 2>/dev/null | cut -c1-100)\""
	: > "$OUT/targets.txt"
	"$S/bin/cagma-xswatch" "/local/domain/$d/memory/target" 3600 \
	    >> "$OUT/targets.txt" 2>&1 &
	WATCH_PID=$!

	# reload: the shipped config keeps an idle guest's memory while the
	# host has spare (headroom = 100 %); headroom = 0 in the file and
	# `systemctl reload` must make the same process shrink the guest
	t0=$(sd_target $SD_GUEST)
	cp /etc/cagma/cagmad.conf "$OUT/cagmad.conf.shipped"
	sed -i 's/^#headroom = .*/headroom = 0/' /etc/cagma/cagmad.conf
	grep -q '^headroom = 0' /etc/cagma/cagmad.conf ||
	    echo 'headroom = 0' >> /etc/cagma/cagmad.conf
	cp /etc/cagma/cagmad.conf "$OUT/cagmad.conf"
	since=$(date '+%Y-%m-%d %H:%M:%S')
	sleep 1
	rrc=0
	systemctl reload cagmad.service > "$OUT/reload.txt" 2>&1 || rrc=$?
	sleep 3
	pid1=$(systemctl show -p MainPID --value cagmad.service)
	line=$(journalctl -u cagmad.service --since "$since" -o cat | grep -m1 'reload')
	ok=0
	[ $rrc = 0 ] && [ "$pid1" = "$pid0" ] &&
	    echo "$line" | grep -q -E '^(cagmad: )?reloaded' && ok=1
	lab_check reload $ok "rc=$rrc pid before=$pid0 after=$pid1 log=\"$line\""
	ok=0
	sd_wait_target $SD_GUEST -lt $((t0 - 65536)) 120 && ok=1
	lab_check target_moved $ok "target before reload=$t0 now=$(sd_target $SD_GUEST) kB"

	# libxl says nothing at cagmad's level when all goes well: make its
	# next set_memory_target fail ("Cannot get memory info from
	# .../memory/static-max") while the shrink goes on, then restore it
	sm=/local/domain/$d/memory/static-max
	smv=$(xenstore-read $sm)
	xenstore-rm $sm
	# the shrink may be over by now (the guest at its floor): a raised
	# floor and a reload make cagmad set a target at once, which libxl
	# refuses without static-max
	sed -i 's/^#floor = .*/floor = 384M/' /etc/cagma/cagmad.conf
	systemctl reload cagmad.service > "$OUT/reload2.txt" 2>&1 || true
	n=0
	while [ $n -lt 30 ] && ! journalctl -u cagmad.service -o cat |
	    grep -q -E '^(cagmad: )?libxl'; do
		sleep 1
		n=$((n + 1))
	done
	xenstore-write $sm "$smv"

	# stop
	src=0
	systemctl stop cagmad.service > "$OUT/stop.txt" 2>&1 || src=$?
	ac=$(systemctl is-active cagmad.service 2>&1)
	res=$(systemctl show -p Result --value cagmad.service)
	st=$(systemctl show -p ExecMainStatus --value cagmad.service)
	ok=0
	[ $src = 0 ] && [ "$ac" = inactive ] && [ "$res" = success ] && ok=1
	lab_check stop_clean $ok "rc=$src active=$ac result=$res status=$st"
	kill $WATCH_PID 2>/dev/null

	journalctl -u cagmad.service --no-pager -o short-monotonic \
	    > "$OUT/journal-cagmad.txt" 2>&1
	nc=$(grep -c 'cagmad\[' "$OUT/journal-cagmad.txt")
	nx=$(grep -c -E 'cagmad\[[0-9]+\]: (cagmad: )?(libxl|xc)' "$OUT/journal-cagmad.txt")
	ok=0
	[ "$nc" -gt 0 ] && [ "$nx" -gt 0 ] && ok=1
	lab_check journal_cagmad $ok "cagmad lines=$nc libxl/xc lines=$nx"
	journalctl -b --no-pager -o short-monotonic > "$OUT/journal-dom0.txt" 2>&1
	systemctl --failed --no-legend > "$OUT/failed-units.txt" 2>&1
	lab_stop_guests 120
	lab_collect
	COLLECTED=1
}
