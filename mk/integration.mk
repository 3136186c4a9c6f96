# mk/integration.mk - fake-Xen xenstored harness (issue 7), included by the
# top-level Makefile.  Builds into $(B)/integration/:
#   libfakexen.so  LD_PRELOAD shim for /usr/lib/xen-4.{17,20}/bin/xenstored
#   fakeguest      runs a libxenstore program as guest domain N
#   xstool         dom0 helper: layout, introduce/release, probes, raw latency
#   cagma-lat      urgent record -> new target latency; hostile-record flood;
#                  valid urgent-record flood (vflood); calm publishers
# `make integration` runs tests/integration/run.sh; `make bench-latency`
# writes bench/results/latency.csv; `make bench-scale` writes
# bench/results/scale.md.

INTEG_DIR  := $(B)/integration
INTEG_SHIM := $(INTEG_DIR)/libfakexen.so
INTEG_BINS := $(INTEG_SHIM) $(INTEG_DIR)/fakeguest $(INTEG_DIR)/xstool \
              $(INTEG_DIR)/cagma-lat
INTEG_XEN_LIBS = $(shell pkg-config --libs xenstore 2>/dev/null || echo -lxenstore)

# The shim is preloaded into an uninstrumented xenstored: no sanitizers, and
# no _FORTIFY_SOURCE (it defines open() itself).
INTEG_SHIM_CFLAGS = $(filter-out -fsanitize% -fno-sanitize% -D_FORTIFY_SOURCE%,$(CFLAGS)) \
                    -U_FORTIFY_SOURCE -fPIC

all: $(INTEG_BINS)
integration: $(INTEG_BINS)

$(INTEG_SHIM): tests/integration/fakexen.c
	@mkdir -p $(@D)
	$(CC) $(INTEG_SHIM_CFLAGS) $(XEN_CFLAGS) -shared -o $@ $< -ldl

$(INTEG_DIR)/fakeguest: $(call obj,tests/integration/fakeguest.c \
    tests/integration/fgring.c tests/integration/xsdom.c) $(LIB_COMMON)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $^ $(INTEG_XEN_LIBS)

$(INTEG_DIR)/xstool: $(call obj,tests/integration/xstool.c \
    tests/integration/xsdom.c) $(LIB_COMMON)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $^ $(INTEG_XEN_LIBS)

$(INTEG_DIR)/cagma-lat: $(call obj,tests/integration/latency.c) $(LIB_COMMON)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $^ $(INTEG_XEN_LIBS)

.PHONY: integration-harness bench-latency
integration-harness: $(INTEG_BINS)

# Emergency latency benchmark (issue 7): >= 1000 urgent events through the
# real xenstored, beside the raw watch round trip.
BENCH_TARGETS += bench-latency
bench-latency: $(INTEG_BINS) $(B)/test/bin/cagmad
	bench/latency/run.sh $(LAT_EVENTS)

# Scale benchmark (issue 20 item 2): 10, 100, 500 fake guests, calm and
# with 20 % flooding valid urgent records; writes bench/results/scale.md.
BENCH_TARGETS += bench-scale
.PHONY: bench-scale
bench-scale: $(INTEG_BINS) $(CAGMAD_TEST) $(B)/bin/cagmactl
	bench/scale/run.sh

# Where xenstored saturates under a flood of valid urgent records (N = 100,
# 500 .. 20000 writes/s asked); writes bench/results/scale-sweep.md.
.PHONY: bench-scale-sweep
bench-scale-sweep: $(INTEG_BINS) $(CAGMAD_TEST) $(B)/bin/cagmactl
	bench/scale/sweep.sh

# Two cagmad test builds on the same windows, alternated:
#   make bench-scale-ab OLD=/path/to/older/build/test/bin/cagmad
# writes bench/results/scale-ab.md.
.PHONY: bench-scale-ab
bench-scale-ab: $(INTEG_BINS) $(CAGMAD_TEST) $(B)/bin/cagmactl
	@[ -n "$(OLD)" ] || { echo "bench-scale-ab: set OLD=<older cagmad test build>" >&2; exit 2; }
	bench/scale/ab.sh $(OLD)
