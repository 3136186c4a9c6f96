#!/bin/sh
# Install the Debian packages given as arguments that are not installed yet.
# Idempotent and quiet when everything is present; needs root otherwise.
set -eu
missing=""
for p in "$@"; do
	st=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
	case "$st" in
	*" installed") ;;
	*) missing="$missing $p" ;;
	esac
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" != 0 ]; then
	echo "deps: missing Debian packages:$missing" >&2
	echo "deps: run 'sudo make deps' (or apt-get install$missing)" >&2
	exit 1
fi
echo "deps: installing:$missing"
export DEBIAN_FRONTEND=noninteractive
# A stale or empty package list makes installs fail: refresh it once.
apt-get update -qq
# --no-install-recommends: xen-utils would otherwise pull the hypervisor.
apt-get install -y -qq --no-install-recommends $missing >/dev/null
