#!/bin/bash
# Scenario 7: the Xen backend where there is no hypervisor.  cagmad
# --backend xen cannot get a libxl context here, and says so through its
# own logger: libxl's and libxencall's messages arrive as cagmad lines (the
# xentoollog logger, built against this machine's Xen headers), the libxl
# error code is named, and cagmad exits 3 (backend not set up).
. "$(dirname "$0")/lib.sh"

have "$CAGMAD" "scenario 7" || it_finish
check "xenstored starts" xs_start
timeout 10 "$CAGMAD" -f --backend xen -c /dev/null >"$D/out" 2>"$D/err"
rc=$?
sed 's/^/  | /' "$D/err"
check "cagmad --backend xen with no hypervisor exits 3 (rc $rc)" [ "$rc" -eq 3 ]
check "libxl's own message comes through cagmad's logger" \
	grep -q '^cagmad: libxl: .*libxl_ctx_alloc' "$D/err"
check "so does libxencall's" grep -q '^cagmad: xencall: ' "$D/err"
check "the libxl error code is named" \
	grep -q '^cagmad: libxl_ctx_alloc: libxl error fail (-3)' "$D/err"
check "nothing bypasses the logger (no xentoollog stdio lines)" \
	not grep -q -E '^(libxl|xencall|xc): (error|warning|critical)' "$D/err"
it_finish
