# cagma - critical-amount guaranteed memory allocation for Xen guests.
#
# Plain GNU make.  `make` builds into build/ (programs in build/bin/);
# `make test` installs missing Debian packages (make deps), then runs every
# test layer; `make SAN=1` builds the same tree with ASan+UBSan into
# build/asan/.  See README.md.

PREFIX   ?= /usr
SBINDIR  ?= $(PREFIX)/sbin
BINDIR   ?= $(PREFIX)/bin
MANDIR   ?= $(PREFIX)/share/man
UNITDIR  ?= /lib/systemd/system
SYSCONFDIR ?= /etc
DESTDIR  ?=

CC       ?= gcc
SAN      ?= 0
ifeq ($(SAN),1)
B        := build/asan
OPT      := -O1 -fsanitize=address,undefined -fno-omit-frame-pointer \
            -fno-sanitize-recover=all
else
B        := build
OPT      := -O2 -D_FORTIFY_SOURCE=2
endif

# WERROR= (as debian/rules does) keeps a packager's build going on a newer
# compiler's new warning; CI and developers build with -Werror.
WERROR   ?= -Werror
WARN     := -Wall -Wextra $(WERROR) -Wshadow -Wformat=2 -Wstrict-prototypes \
            -Wmissing-prototypes -Wpointer-arith -Wcast-qual -Wvla \
            -Wconversion
CFLAGS   ?=
CFLAGS   += -std=gnu11 -g $(OPT) $(WARN) -fstack-protector-strong \
            -Icommon -Ixenstore-schema -Idom0 -Idom0/policy -Iguest-agent \
            -MMD -MP
LDFLAGS  += $(filter -fsanitize%,$(OPT))

PKG_XEN  := xenstore xenlight xencontrol xentoollog
XEN_CFLAGS = $(shell pkg-config --cflags $(PKG_XEN) 2>/dev/null)
XEN_LIBS   = $(shell pkg-config --libs $(PKG_XEN) 2>/dev/null)
XS_LIBS    = $(shell pkg-config --libs xenstore 2>/dev/null)
# Xen 4.17 .. 4.20: features from the installed headers, not a version
# table.  xc_domain_getinfo_single() appeared in 4.18 (getinfo went).
XEN_FEATURES := $(shell printf '\043include <xenctrl.h>\nint f(void);\nint f(void) { return xc_domain_getinfo_single(0, 0, 0); }\n' | \
    $(CC) -std=gnu11 -Werror=implicit-function-declaration -fsyntax-only \
    $$(pkg-config --cflags xencontrol 2>/dev/null) -x c - >/dev/null 2>&1 && \
    echo -DHAVE_XC_DOMAIN_GETINFO_SINGLE)
XEN_CFLAGS += $(XEN_FEATURES)
# libvirt is optional: without it (pkg-config libvirt fails) there is no
# cagmad-libvirt, and cagmad --backend libvirt says so.
HAVE_LIBVIRT := $(shell pkg-config --exists libvirt 2>/dev/null && echo 1)
LIBVIRT_CFLAGS = $(shell pkg-config --cflags libvirt 2>/dev/null)
LIBVIRT_LIBS   = $(shell pkg-config --libs libvirt 2>/dev/null) -lpthread
INIH_LIBS  = $(shell pkg-config --libs inih 2>/dev/null || echo -linih)
CMOCKA_LIBS = $(shell pkg-config --libs cmocka 2>/dev/null || echo -lcmocka)

# --- sources, by part (one folder each) -------------------------------------
COMMON_SRC := $(wildcard common/*.c) xenstore-schema/schema.c
POLICY_SRC := $(wildcard dom0/policy/*.c)
AGENT_SRC  := $(filter-out guest-agent/main.c,$(wildcard guest-agent/*.c))
# dom0: the core both daemons share (DOM0_SRC, no Xen or libvirt call), the
# Xen side (xenstore, libxl: cagmad only) and the libvirt side
# (cagmad-libvirt only).  backends_*.c: each program's backend table.
DOM0_XEN_SRC := dom0/xsio.c dom0/backend_xen.c dom0/daemon_xs.c \
                dom0/backends_xen.c
# backend_libvirt*.c: the libvirt backend's own files, the only ones that
# include libvirt's headers (tests/check.sh), compiled with LIBVIRT_CFLAGS
LV_BACKEND_SRC := $(wildcard dom0/backend_libvirt*.c)
DOM0_LV_SRC  := $(LV_BACKEND_SRC) dom0/backends_libvirt.c
DOM0_SRC   := $(filter-out dom0/main.c dom0/cagmactl.c $(DOM0_XEN_SRC) \
              $(DOM0_LV_SRC),$(wildcard dom0/*.c))
SIM_SRC    := $(filter-out bench/sim/main.c,$(wildcard bench/sim/*.c))
UNIT_SRC   := $(wildcard tests/unit/test_*.c)

obj = $(patsubst %.c,$(B)/obj/%.o,$(1))

LIB_COMMON := $(B)/lib/libcagma-common.a
LIB_POLICY := $(B)/lib/libcagma-policy.a
LIB_AGENT  := $(B)/lib/libcagma-agent.a
LIB_DOM0   := $(B)/lib/libcagma-dom0.a
LIB_DOM0_XEN := $(B)/lib/libcagma-dom0-xen.a
LIB_SIM    := $(B)/lib/libcagma-sim.a
LIBS_ALL   := $(LIB_SIM) $(LIB_DOM0_XEN) $(LIB_DOM0) $(LIB_AGENT) \
              $(LIB_POLICY) $(LIB_COMMON)
# static libraries that reference each other (the core's backend.o needs
# the program's backend_table): one group
group = -Wl,--start-group $(filter %.a,$(1)) -Wl,--end-group

PROGS :=
ifneq ($(wildcard guest-agent/main.c),)
PROGS += $(B)/bin/cagma-agent
endif
ifneq ($(wildcard dom0/main.c),)
PROGS += $(B)/bin/cagmad
endif
ifeq ($(HAVE_LIBVIRT),1)
PROGS += $(B)/bin/cagmad-libvirt
endif
ifneq ($(wildcard dom0/cagmactl.c),)
PROGS += $(B)/bin/cagmactl
endif
ifneq ($(wildcard bench/sim/main.c),)
PROGS += $(B)/bin/cagma-sim
endif
UNIT_BINS := $(patsubst tests/unit/%.c,$(B)/tests/%,$(UNIT_SRC))

# Extra rules contributed by parts: each mk/<part>.mk may add programs and
# rules, append packages to DEPS_PKGS and targets to BENCH_TARGETS, and set DEMO_CMD (the most real
# demo that exists: the simulator, later the Xen lab).
BENCH_TARGETS :=
DEPS_PKGS := build-essential pkg-config libxen-dev xen-utils-4.17 \
             xen-utils-common xenstore-utils libcmocka-dev libinih-dev \
             clang libclang-rt-14-dev valgrind gnuplot-nox
DEMO_CMD := @echo "demo: nothing to demo yet" && false
-include $(sort $(wildcard mk/*.mk))

.PHONY: all deps test unit unit-asan integration e2e e2e-trixie e2e-systemd test-trixie fuzz fuzz-procfs fuzz-chan fuzz-smoke bench \
        demo install clean check format
all: $(PROGS)

$(B)/obj/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(XEN_CFLAGS) -c -o $@ $<

$(call obj,$(LV_BACKEND_SRC)): $(B)/obj/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(LIBVIRT_CFLAGS) -c -o $@ $<

define mklib
$(1): $(call obj,$(2))
	@mkdir -p $$(@D)
	rm -f $$@ && $(AR) rcs $$@ $$^
endef
$(eval $(call mklib,$(LIB_COMMON),$(COMMON_SRC)))
$(eval $(call mklib,$(LIB_POLICY),$(POLICY_SRC)))
$(eval $(call mklib,$(LIB_AGENT),$(AGENT_SRC)))
$(eval $(call mklib,$(LIB_DOM0),$(DOM0_SRC)))
$(eval $(call mklib,$(LIB_DOM0_XEN),$(filter-out dom0/backends_xen.c,$(DOM0_XEN_SRC))))
$(eval $(call mklib,$(LIB_SIM),$(SIM_SRC)))

$(B)/bin/cagma-agent: $(call obj,guest-agent/main.c) $(LIB_AGENT) $(LIB_COMMON)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $^ $(XS_LIBS) $(INIH_LIBS)

# cagmad and cagmad-libvirt: the same main.o and core objects; the backend
# table object and the side library differ.  cagmad-libvirt links no Xen
# library, cagmad no libvirt.
$(B)/bin/cagmad: $(call obj,dom0/main.c dom0/backends_xen.c) $(LIB_DOM0_XEN) \
    $(LIB_DOM0) $(LIB_POLICY) $(LIB_COMMON)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $(filter %.o,$^) $(call group,$^) $(XEN_LIBS) \
	    $(INIH_LIBS)

$(B)/bin/cagmad-libvirt: $(call obj,dom0/main.c $(DOM0_LV_SRC)) \
    $(LIB_DOM0) $(LIB_POLICY) $(LIB_COMMON)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $(filter %.o,$^) $(call group,$^) \
	    $(LIBVIRT_LIBS) $(INIH_LIBS)

$(B)/bin/cagmactl: $(call obj,dom0/cagmactl.c) $(LIB_DOM0) $(LIB_POLICY) $(LIB_COMMON)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $^ $(INIH_LIBS)

$(B)/bin/cagma-sim: $(call obj,bench/sim/main.c) $(LIB_SIM) $(LIB_AGENT) \
    $(LIB_POLICY) $(LIB_COMMON)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $^ -lm

$(B)/tests/%: $(call obj,tests/unit/%.c dom0/backends_xen.c) $(LIBS_ALL)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $(filter %.o,$^) $(call group,$^) \
	    $(CMOCKA_LIBS) $(XEN_LIBS) $(INIH_LIBS) -lm

# Helpers the unit tests share (tests/unit/*.c not named test_*): each is
# linked into the tests that use it.
UNIT_HELP_SRC := tests/unit/sockfix.c
$(B)/tests/test_chan $(B)/tests/test_chanset: $(call obj,$(UNIT_HELP_SRC))

# --- Debian packages: build, test, lab -------------------------------------
deps:
	@sh tests/deps.sh $(DEPS_PKGS)

# --- tests ------------------------------------------------------------------
# Each layer appends "layer: N passed, N failed" to build/test-results; the
# last line of `make test` is the total.
RESULTS := build/test-results

test: deps
	@rm -rf $(RESULTS) && mkdir -p $(RESULTS)
	$(MAKE) all
	$(MAKE) unit
	$(MAKE) sim-golden
	$(MAKE) deb
	$(MAKE) check-layer
	$(MAKE) unit-asan
	$(MAKE) fuzz-smoke
	$(MAKE) integration
	$(MAKE) e2e
	$(MAKE) test-trixie
	$(MAKE) e2e-trixie
	$(MAKE) e2e-systemd
	$(MAKE) e2e-vmstart
	$(MAKE) e2e-kvm
	@sh tests/summary.sh $(RESULTS)

UNIT_LAYER ?= unit
unit: $(UNIT_BINS) $(PROGS)
	@mkdir -p $(RESULTS)
	@sh tests/run-unit.sh $(UNIT_LAYER) $(RESULTS) $(UNIT_BINS)

unit-asan:
	$(MAKE) SAN=1 unit UNIT_LAYER=unit-asan RESULTS=$(abspath $(RESULTS))

integration: all
	@if [ -x tests/integration/run.sh ]; then \
	    tests/integration/run.sh $(RESULTS); \
	else echo "integration: no tests yet"; fi

e2e: all
	@if [ -x tests/e2e/run.sh ]; then \
	    tests/e2e/run.sh $(RESULTS); \
	else echo "e2e: no tests yet"; fi

# The same e2e on the Debian 13 image (Xen 4.20), with the programs built
# in the Debian 13 root (tests/trixie/build-bin.sh -> build/trixie/bin).
e2e-trixie:
	tests/e2e/run.sh $(RESULTS) trixie

# Debian's init in dom0 and a guest, the packages from `make deb` installed
# with apt (bench/lab/share/job-systemd.sh), on the Debian 12 image.
e2e-systemd: all deb
	tests/e2e/run.sh $(RESULTS) bookworm systemd

# libFuzzer on the record decoder (clang).  FUZZ_RUNS / FUZZ_SECONDS bound it.
FUZZ_RUNS    ?= 1000000
FUZZ_SECONDS ?= 60
FUZZ_BIN     := build/fuzz/fuzz_record
FUZZ_SRC     := tests/fuzz/fuzz_record.c common/record.c common/num.c \
                xenstore-schema/schema.c
$(FUZZ_BIN): $(FUZZ_SRC)
	@mkdir -p $(@D)
	clang -std=gnu11 -g -O1 -fsanitize=fuzzer,address,undefined \
	    -fno-sanitize-recover=all -Icommon -Ixenstore-schema -o $@ $^

fuzz: $(FUZZ_BIN)
	@mkdir -p build/fuzz/corpus-record
	$(FUZZ_BIN) -runs=$(FUZZ_RUNS) -max_len=1200 \
	    build/fuzz/corpus-record tests/fuzz/corpus/record 2>&1 | tail -n 5

FUZZ_PROCFS_BIN := build/fuzz/fuzz_procfs
$(FUZZ_PROCFS_BIN): tests/fuzz/fuzz_procfs.c common/procfs.c common/num.c
	@mkdir -p $(@D)
	clang -std=gnu11 -g -O1 -fsanitize=fuzzer,address,undefined \
	    -fno-sanitize-recover=all -Icommon -o $@ $^

fuzz-procfs: $(FUZZ_PROCFS_BIN)
	@mkdir -p build/fuzz/corpus-procfs
	$(FUZZ_PROCFS_BIN) -runs=$(FUZZ_RUNS) -max_len=8192 \
	    build/fuzz/corpus-procfs tests/fuzz/corpus/procfs 2>&1 | tail -n 3

# The agent channel's line framer (dom0/chan.c, KVM hosts).
FUZZ_CHAN_BIN := build/fuzz/fuzz_chan
$(FUZZ_CHAN_BIN): tests/fuzz/fuzz_chan.c dom0/chan.c common/log.c common/num.c
	@mkdir -p $(@D)
	clang -std=gnu11 -g -O1 -fsanitize=fuzzer,address,undefined \
	    -fno-sanitize-recover=all -Icommon -Ixenstore-schema -Idom0 \
	    -o $@ $^

fuzz-chan: $(FUZZ_CHAN_BIN)
	@mkdir -p build/fuzz/corpus-chan
	$(FUZZ_CHAN_BIN) -runs=$(FUZZ_RUNS) -max_len=8192 \
	    build/fuzz/corpus-chan tests/fuzz/corpus/chan 2>&1 | tail -n 3

# CI: the record decoder for FUZZ_SECONDS, the /proc parsers and the
# channel framer for a third each.
fuzz-smoke: $(FUZZ_BIN) $(FUZZ_PROCFS_BIN) $(FUZZ_CHAN_BIN)
	@mkdir -p $(RESULTS)
	@sh tests/fuzz/smoke.sh record $(FUZZ_BIN) $(FUZZ_SECONDS) $(RESULTS) \
	    1200 tests/fuzz/corpus/record
	@sh tests/fuzz/smoke.sh procfs $(FUZZ_PROCFS_BIN) \
	    $$(($(FUZZ_SECONDS) / 3)) $(RESULTS) 8192 tests/fuzz/corpus/procfs
	@sh tests/fuzz/smoke.sh chan $(FUZZ_CHAN_BIN) \
	    $$(($(FUZZ_SECONDS) / 3)) $(RESULTS) 8192 tests/fuzz/corpus/chan

# --- demo and benchmarks ---------------------------------------------------
demo: deps all
	$(DEMO_CMD)

bench: deps all $(BENCH_TARGETS)

# --- install ----------------------------------------------------------------
install: all
	install -d $(DESTDIR)$(SBINDIR) $(DESTDIR)$(BINDIR) \
	    $(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(MANDIR)/man8 \
	    $(DESTDIR)$(UNITDIR) $(DESTDIR)$(SYSCONFDIR)/cagma
	for p in cagmad cagmad-libvirt cagma-agent; do \
	    [ ! -x $(B)/bin/$$p ] || install -m 0755 $(B)/bin/$$p $(DESTDIR)$(SBINDIR)/; done
	for p in cagmactl cagma-sim; do \
	    [ ! -x $(B)/bin/$$p ] || install -m 0755 $(B)/bin/$$p $(DESTDIR)$(BINDIR)/; done
	for m in dom0/*.8 guest-agent/*.8; do \
	    [ ! -f $$m ] || install -m 0644 $$m $(DESTDIR)$(MANDIR)/man8/; done
	for m in dom0/*.5; do \
	    [ ! -f $$m ] || install -m 0644 $$m $(DESTDIR)$(MANDIR)/man5/; done
	for u in dom0/*.service guest-agent/*.service; do \
	    [ ! -f $$u ] || install -m 0644 $$u $(DESTDIR)$(UNITDIR)/; done
	for c in dom0/cagmad.conf guest-agent/cagma-agent.conf; do \
	    [ ! -f $$c ] || [ -f $(DESTDIR)$(SYSCONFDIR)/cagma/$${c##*/} ] || \
	    install -m 0644 $$c $(DESTDIR)$(SYSCONFDIR)/cagma/; done

check: all
	@sh tests/check.sh

# make check as a test layer (make test): one result line for the summary
check-layer: all
	@mkdir -p $(RESULTS)
	@if sh tests/check.sh; then \
	    echo "check: 1 passed, 0 failed" | tee $(RESULTS)/check.txt; \
	else echo "check: 0 passed, 1 failed" | tee $(RESULTS)/check.txt; \
	    exit 1; fi

format:
	clang-format -i $$(git ls-files '*.c' '*.h')

clean:
	rm -rf build

-include $(shell find $(B)/obj -name '*.d' 2>/dev/null)
