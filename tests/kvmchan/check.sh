#!/bin/sh
# check.sh - a quick real check of the agent channel on KVM (issue 21,
# item 3): libvirtd + one QEMU TCG guest (the Xen lab image, read-only
# copy) whose domain XML has the agent channel; cagma-agent in the guest
# (transport auto) writes records to /dev/virtio-ports/org.cagma.agent.0,
# cagma-chanread (cagmad's dom0/chan.c reader) reads the host side socket.
# The reader starts late (the agent first runs with no host side), is
# stopped and started again (both sides reconnect), and a hog in the guest
# makes urgent records.  Run as root under the KVM lab lock:
#   flock /tmp/cagma-kvmlab.lock tests/kvmchan/check.sh
# Output and logs in build/kvmchan/check/ (the guest image: build/kvmchan/).
set -u
. "$(dirname "$0")/lib.sh"
kc_start
echo "t=$(el)s no reader for 5 s"
sleep 5
echo "t=$(el)s reader 1 starts (12 s)"
"$R/build/bin/cagma-chanread" "$SOCK" 12 > "$D/reader1.log" 2>&1
echo "t=$(el)s reader 1 done: $(tail -n 1 "$D/reader1.log")"
sleep 5			# no host side again
echo "t=$(el)s reader 2 starts (until the flood is done + 20 s)"
"$R/build/bin/cagma-chanread" "$SOCK" 300 > "$D/reader2.log" 2>&1 &
RD=$!
wait_console "GUEST: flood done" 300
sleep 20
kill -INT $RD 2>/dev/null; sleep 0.5; kill $RD 2>/dev/null; wait $RD 2>/dev/null; RD=
echo "t=$(el)s reader 2 done: $(grep -a chanread: "$D/reader2.log" | tail -n 1)"
$V dumpxml $N | sed -n '/<channel/,/<\/channel>/p' > "$D/channel.xml"
echo "--- guest console (GUEST: lines, agent transport, drops) ---"
grep -a -E 'GUEST:|transport|dropped|port open|cannot open|write failed|first' "$D/$N.console" | head -40
echo "drops logged by the agent: $(grep -a -c dropped "$D/$N.console")"
echo "--- reader 1 ---"; head -n 4 "$D/reader1.log"
echo "--- reader 2: urgent, rejected, oversize ---"
grep -a -E 'urgent=1|rejected|oversize' "$D/reader2.log" | head -n 8
echo "reader 2: ok $(grep -a -c ' ok ' "$D/reader2.log"), urgent $(grep -a -c 'urgent=1' "$D/reader2.log")"
echo "--- the flood, as the reader saw it (lines 'rejected' after the oversize) ---"
awk '/ oversize/ { o = 1; next } o && / rejected / { n++; if (!f) f = $1; l = $1 }
    END { if (n > 1) printf "flood lines read: %d in %.1f s = %.1f lines/s\n", n, (l - f) / 1000, (n - 1) * 1000 / (l - f) }' "$D/reader2.log"
grep -a chanread: "$D/reader2.log"
