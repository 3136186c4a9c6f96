#!/bin/sh
# make check: static analysis and the module-boundary rules of STYLE.md.
set -u
fail=0
note() { echo "check: $*"; }

# 1. Only xsio.c includes <xenstore.h> and only backend_xen.c includes <libxl.h>
#    among the daemon sources; policy code includes nothing but std headers,
#    record.h and policy.h.
for f in $(ls dom0/*.c dom0/*.h 2>/dev/null); do
	case "$f" in dom0/xsio.c|dom0/cagmactl.c) ;; *)
		if grep -q '#include <xenstore.h>' "$f"; then
			note "$f includes <xenstore.h> (only dom0/xsio.c may)"; fail=1
		fi ;;
	esac
	case "$f" in dom0/backend_xen.c) ;; *)
		if grep -q '#include <libxl' "$f"; then
			note "$f includes <libxl.h> (only dom0/backend_xen.c may)"; fail=1
		fi ;;
	esac
done
for f in $(ls dom0/policy/*.c dom0/policy/*.h 2>/dev/null); do
	bad=$(grep -E '^#include' "$f" | grep -v -E '#include (<std[a-z]*\.h>|<errno\.h>|<string\.h>|<limits\.h>|"[a-z_]+\.h")' || true)
	if [ -n "$bad" ]; then
		note "$f: policy code may include only std headers: $bad"; fail=1
	fi
	if grep -n -E '\b(printf|fprintf|syslog|log_(warn|info|debug)|open|read|write|clock_gettime|time)\(' "$f" >/dev/null; then
		note "$f: policy code must do no I/O or time calls"; fail=1
	fi
done

# 2. No unchecked number parsing of guest data anywhere.
if grep -n -E '\b(atoi|atol|sscanf)\(' $(git ls-files '*.c' | grep -v '^tests/') ; then
	note "atoi/atol/sscanf are banned (use num_parse_u64)"; fail=1
fi

# 3. cppcheck over the product sources.
if command -v cppcheck >/dev/null; then
	cppcheck -q --error-exitcode=1 --enable=warning,portability \
	    --inline-suppr --std=c11 -Icommon -Ixenstore-schema -Idom0 \
	    -Idom0/policy -Iguest-agent common xenstore-schema dom0 \
	    guest-agent bench/sim 2>&1 || fail=1
else
	note "cppcheck not installed (skipped)"
fi

# 4. The systemd units parse (the binaries need not be installed here).
if command -v systemd-analyze >/dev/null; then
	out=$(systemd-analyze verify --man=no dom0/cagmad.service \
	    guest-agent/cagma-agent.service 2>&1 |
	    grep -v -E 'Command /usr/sbin/cagma(d|-agent) is not executable' ||
	    true)
	if [ -n "$out" ]; then
		note "systemd units: $out"; fail=1
	fi
else
	note "systemd-analyze not installed (units not checked)"
fi

[ $fail -eq 0 ] && note "ok"
exit $fail
