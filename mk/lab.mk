# mk/lab.mk - the Xen lab (issue 8): in-guest workloads, image, e2e, bench.
#
#   make lab          build the workloads and the cached lab image
#   make demo-lab     boot the lab and run the short demo scenario
#   make bench-lab    the paper's experiment on the lab (LAB_RUNS, LAB_PHASE_S,
#                     LAB_POLICIES knobs; see bench/lab/bench-lab.sh)
#   make e2e          (top-level) runs tests/e2e/run.sh, which uses this lab
# The image lives in $(LAB_CACHE) (default /var/cache/cagma-lab), outside the
# clone; it is rebuilt only when bench/lab/build-image.sh, lab-init or the
# package list change.

DEPS_PKGS += qemu-system-x86 debootstrap e2fsprogs
# make demo (the README's first command) = the Xen lab demo; demo-sim stays
DEMO_CMD := $(MAKE) --no-print-directory demo-lab
BENCH_TARGETS += bench-lab

WL_PROGS := $(B)/bin/cagma-memtask $(B)/bin/cagma-disktask \
            $(B)/bin/cagma-hog $(B)/bin/cagma-labstat \
            $(B)/bin/cagma-xswatch $(B)/bin/cagma-xenfree
PROGS += $(WL_PROGS)

# dom0-side observer: needs libxenstore (dynamic)
$(B)/bin/cagma-xswatch: $(call obj,bench/workloads/xswatch.c) \
    $(call obj,bench/workloads/wl.c) $(LIB_COMMON)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $^ $(XS_LIBS)

# dom0-side probe of Xen's free memory in KiB: libxenctrl
$(B)/bin/cagma-xenfree: $(call obj,bench/workloads/xenfree.c) \
    $(call obj,bench/workloads/wl.c) $(LIB_COMMON)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $^ $(shell pkg-config --libs xencontrol 2>/dev/null)

$(B)/bin/cagma-%: $(call obj,bench/workloads/%.c) \
    $(call obj,bench/workloads/wl.c) $(LIB_COMMON)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $^

.PHONY: lab lab-image lab-workloads demo-lab bench-lab
lab-workloads: $(WL_PROGS)

lab-image:
	bench/lab/build-image.sh

lab: all lab-workloads lab-image

# The paper job's scenario is read on the host, before QEMU boots, by
# cagma-sim --lab (bench/lab/scenario.sh): the lab targets need it built.
LAB_SIM := $(B)/bin/cagma-sim

demo-lab: deps lab $(LAB_SIM)
	CAGMA_SIM=$(abspath $(LAB_SIM)) bench/lab/demo.sh

bench-lab: deps lab $(LAB_SIM)
	CAGMA_SIM=$(abspath $(LAB_SIM)) bench/lab/bench-lab.sh

# mk files are included before the top-level "all:"; keep it the default
.DEFAULT_GOAL := all

# keep the objects (pattern-rule chains would delete them as intermediates)
.SECONDARY: $(call obj,$(wildcard bench/workloads/*.c))

# Issue 19: a 768 MiB guest started with `cagmactl create` on a lab host
# whose memory three guests hold (bench/lab/share/job-vmstart.sh).
#   make e2e-vmstart / e2e-vmstart-trixie   its checks (tests/e2e/run.sh)
#   make bench-vmstart                      LAB_VMS_RUNS starts per image,
#                                           bench/results/vmstart-lab.md
.PHONY: e2e-vmstart e2e-vmstart-trixie bench-vmstart
e2e-vmstart: all
	tests/e2e/run.sh $(RESULTS) bookworm vmstart

e2e-vmstart-trixie:
	tests/e2e/run.sh $(RESULTS) trixie vmstart

bench-vmstart: all
	bench/lab/bench-vmstart.sh
