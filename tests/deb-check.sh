#!/bin/sh
# deb-check.sh DEBDIR - check the built Debian packages (make deb):
# contents, conffiles, units and their enabling, no cagma-sim and no
# simulated backend in the shipped cagmad, and an unpack into a throwaway
# dpkg root.  Prints PASS:/FAIL: lines; exits non-zero on any failure.
set -u
dir=${1:-build/deb}
fail=0 pass=0
ok() { echo "PASS: $*"; pass=$((pass + 1)); }
bad() { echo "FAIL: $*"; fail=$((fail + 1)); }
check() { msg=$1; shift; if "$@" >/dev/null 2>&1; then ok "$msg"; else bad "$msg"; fi; }

d_dom0=$(ls "$dir"/cagmad_*.deb 2>/dev/null | head -n 1)
d_agent=$(ls "$dir"/cagma-agent_*.deb 2>/dev/null | head -n 1)
if [ -z "$d_dom0" ] || [ -z "$d_agent" ]; then
	echo "FAIL: no cagmad_*.deb / cagma-agent_*.deb in $dir (make deb)"
	exit 1
fi
tmp=$(mktemp -d /tmp/cagma-debcheck.XXXXXX)
trap 'rm -rf "$tmp"' EXIT INT TERM

# has DEB PATH...: every path is in the package
has() {
	deb=$1; shift
	dpkg-deb -c "$deb" | awk '{print $6}' | sed 's|^\./|/|' >"$tmp/list"
	for p in "$@"; do grep -qx "$p" "$tmp/list" || return 1; done
}
lacks_re() { dpkg-deb -c "$1" | awk '{print $6}' | grep -Eq "$2" && return 1; return 0; }

check "cagmad: programs, man pages, unit, config" has "$d_dom0" \
    /usr/sbin/cagmad /usr/bin/cagmactl /usr/share/man/man8/cagmad.8.gz \
    /usr/share/man/man8/cagmactl.8.gz /usr/share/man/man5/cagmad.conf.5.gz \
    /lib/systemd/system/cagmad.service /etc/cagma/cagmad.conf \
    /usr/share/doc/cagmad/copyright
check "cagma-agent: program, man page, unit, config" has "$d_agent" \
    /usr/sbin/cagma-agent /usr/share/man/man8/cagma-agent.8.gz \
    /lib/systemd/system/cagma-agent.service /etc/cagma/cagma-agent.conf \
    /usr/share/doc/cagma-agent/copyright
check "cagmad: conffiles lists /etc/cagma/cagmad.conf" sh -c \
    "dpkg-deb -I '$d_dom0' conffiles | grep -qx /etc/cagma/cagmad.conf"
check "cagma-agent: conffiles lists /etc/cagma/cagma-agent.conf" sh -c \
    "dpkg-deb -I '$d_agent' conffiles | grep -qx /etc/cagma/cagma-agent.conf"
check "cagmad: postinst enables cagmad.service" sh -c \
    "dpkg-deb -I '$d_dom0' postinst | grep -q \"deb-systemd-helper enable 'cagmad.service'\""
check "cagma-agent: postinst enables cagma-agent.service" sh -c \
    "dpkg-deb -I '$d_agent' postinst | grep -q \"deb-systemd-helper enable 'cagma-agent.service'\""
check "cagmad: Depends on the Xen libraries (shlibs)" sh -c \
    "dpkg-deb -f '$d_dom0' Depends | grep -q libxenstore"
check "no cagma-sim, no test build, no lab tools in either package" sh -c \
    "! { dpkg-deb -c '$d_dom0'; dpkg-deb -c '$d_agent'; } |
      grep -E 'cagma-sim|/test/|cagma-(memtask|disktask|hog|labstat|xswatch|planbench)|fakexen'"

# The shipped cagmad itself: no simulated backend ([sim] balloon_rate; its
# host_memory key is also [libvirt]'s, so it is no marker).
dpkg-deb -x "$d_dom0" "$tmp/x"
bin=$tmp/x/usr/sbin/cagmad
check "cagmad: no simulated backend in the binary (strings)" sh -c \
    "! strings '$bin' | grep -E 'balloon_rate|backend_sim|sim_ops'"
"$bin" --backend sim --foreground >"$tmp/out" 2>&1
rc=$?
if [ $rc -eq 2 ] && grep -q 'only in the test build' "$tmp/out"; then
	ok "cagmad --backend sim is refused (exit 2: $(head -n 1 "$tmp/out"))"
else
	bad "cagmad --backend sim: exit $rc, $(head -n 1 "$tmp/out")"
fi
printf '[global]\nperiod = 2s\n[sim]\nhost_memory = 4G\n' >"$tmp/sim.conf"
"$bin" -n --config "$tmp/sim.conf" >"$tmp/out" 2>&1
rc=$?
if [ $rc -eq 2 ] && grep -q 'sim.conf:4: \[sim\] is only accepted by the test build' "$tmp/out"; then
	ok "cagmad -n rejects a [sim] section (exit 2: $(head -n 1 "$tmp/out"))"
else
	bad "cagmad -n with [sim]: exit $rc, $(head -n 1 "$tmp/out")"
fi
check "cagmad -n accepts the packaged cagmad.conf" \
    "$bin" -n --config "$tmp/x/etc/cagma/cagmad.conf"

# cagmad-libvirt (KVM hosts): its own binary, no Xen library, and the Xen
# package pulls no libvirt.
d_lv=$(ls "$dir"/cagmad-libvirt_*.deb 2>/dev/null | head -n 1)
if [ -n "$d_lv" ]; then
	check "cagmad-libvirt: program, cagmactl, man pages, unit, config" \
	    has "$d_lv" /usr/sbin/cagmad-libvirt /usr/bin/cagmactl \
	    /usr/share/man/man8/cagmad.8.gz \
	    /usr/share/man/man8/cagmad-libvirt.8.gz \
	    /usr/share/man/man5/cagmad.conf.5.gz \
	    /lib/systemd/system/cagmad-libvirt.service /etc/cagma/cagmad.conf
	check "cagmad-libvirt: Depends on libvirt0, no Xen library" sh -c \
	    "dpkg-deb -f '$d_lv' Depends | grep -q libvirt0 &&
	     ! dpkg-deb -f '$d_lv' Depends | grep -q libxen"
	check "cagmad: no libvirt in its Depends" sh -c \
	    "! dpkg-deb -f '$d_dom0' Depends | grep -q libvirt"
	check "cagmad and cagmad-libvirt conflict (one per host)" sh -c \
	    "dpkg-deb -f '$d_dom0' Conflicts | grep -q cagmad-libvirt &&
	     dpkg-deb -f '$d_lv' Conflicts | grep -qx cagmad"
	dpkg-deb -x "$d_lv" "$tmp/lv"
	check "cagmad-libvirt -n accepts the packaged cagmad.conf" \
	    "$tmp/lv/usr/sbin/cagmad-libvirt" -n \
	    --config "$tmp/lv/etc/cagma/cagmad.conf"
	check "cagmad-libvirt: no simulated backend (strings)" sh -c \
	    "! strings '$tmp/lv/usr/sbin/cagmad-libvirt' | grep -E 'backend_sim|sim_ops'"
else
	bad "no cagmad-libvirt_*.deb in $dir (libvirt-dev missing at build?)"
fi

# Unpack both into a throwaway dpkg root (no maintainer scripts run:
# neither package has a preinst) and ask that dpkg database.
r=$tmp/root
mkdir -p "$r/var/lib/dpkg/info" "$r/var/lib/dpkg/updates"
: >"$r/var/lib/dpkg/status"
: >"$r/var/lib/dpkg/available"
if dpkg --root="$r" --force-depends --force-not-root --force-script-chrootless \
    --unpack "$d_dom0" "$d_agent" >"$tmp/out" 2>&1; then
	ok "dpkg --root --unpack of both packages"
	check "throwaway root: cagmad conffile registered" sh -c \
	    "dpkg-query --admindir='$r/var/lib/dpkg' -W -f='\${Conffiles}' cagmad | grep -q /etc/cagma/cagmad.conf"
	check "throwaway root: units and programs in place" test -x \
	    "$r/usr/sbin/cagmad" -a -x "$r/usr/sbin/cagma-agent" -a \
	    -f "$r/lib/systemd/system/cagmad.service" -a \
	    -f "$r/lib/systemd/system/cagma-agent.service"
else
	bad "dpkg --root --unpack: $(tail -n 3 "$tmp/out")"
fi
echo "deb-check: $pass passed, $fail failed"
[ $fail -eq 0 ]
