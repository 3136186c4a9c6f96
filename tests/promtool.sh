#!/bin/sh
# promtool.sh - print the path of a promtool binary: the installed one, or
# the one in Debian's prometheus package, extracted (not installed: no
# server, no service) into $PROMTOOL_CACHE (default /var/cache/cagma-tools)
# the first time.  Exit 1 with nothing printed if neither can be had.
set -u
if command -v promtool >/dev/null 2>&1; then
	command -v promtool
	exit 0
fi
cache=${PROMTOOL_CACHE:-/var/cache/cagma-tools}
bin=$cache/usr/bin/promtool
if [ ! -x "$bin" ]; then
	mkdir -p "$cache/dl" || exit 1
	(cd "$cache/dl" && apt-get download -qq prometheus >/dev/null 2>&1) ||
	    exit 1
	deb=$(ls "$cache"/dl/prometheus_*.deb 2>/dev/null | head -n 1)
	[ -n "$deb" ] || exit 1
	dpkg-deb --fsys-tarfile "$deb" |
	    tar -x -C "$cache" ./usr/bin/promtool 2>/dev/null || exit 1
	rm -f "$cache"/dl/prometheus_*.deb
fi
[ -x "$bin" ] || exit 1
echo "$bin"
