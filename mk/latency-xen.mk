# mk/latency-xen.mk - the emergency latency on real Xen (issue 20, item 3):
#   make bench-latency-xen   lab job "latency" (bench/lab/share/job-latency.sh):
#                            first swap-in -> target write / allocation /
#                            guest MemTotal, and libxl against the direct
#                            target path per call; writes
#                            bench/results/latency-xen.md
# Not part of make test.  Like bench-lab, run it as
# flock /tmp/cagma-xenlab.lock make bench-latency-xen (one lab at a time).
#   cagma-latprobe  in the guest: pressure cycles, swap-in / MemTotal to xenstore
#   cagma-latwatch  in dom0: those keys, the record, the target, tot_pages
#   cagma-tgtbench  in dom0: one target write through backend_xen.c, per path
LATX_PROGS := $(B)/bin/cagma-latprobe $(B)/bin/cagma-latwatch \
              $(B)/bin/cagma-tgtbench
PROGS += $(LATX_PROGS)
BENCH_TARGETS += bench-latency-xen

$(B)/bin/cagma-latprobe: $(call obj,bench/workloads/latprobe.c) \
    $(call obj,bench/workloads/wl.c) $(LIB_COMMON)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -pthread -o $@ $^ $(XS_LIBS)

$(B)/bin/cagma-latwatch: $(call obj,bench/workloads/latwatch.c) \
    $(call obj,bench/workloads/wl.c) $(LIB_COMMON)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $^ $(XEN_LIBS)

$(B)/bin/cagma-tgtbench: $(call obj,bench/latency/tgtbench.c) \
    $(call obj,bench/workloads/wl.c) $(LIB_DOM0_XEN) $(LIB_DOM0) \
    $(LIB_POLICY) $(LIB_COMMON)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $^ $(XEN_LIBS) $(INIH_LIBS)

$(call obj,bench/latency/tgtbench.c): CFLAGS += -Ibench/workloads

.PHONY: bench-latency-xen
bench-latency-xen: deps lab $(LATX_PROGS)
	bench/lab/latency.sh
