# mk/cagmad-test.mk - the test-only cagmad (issue 18, item 5).
#
# The shipped cagmad ($(B)/bin/cagmad) has only the Xen backend.  The test
# build, $(B)/test/bin/cagmad, is the same daemon with -DCAGMA_TEST_BACKENDS:
# it adds the simulated backend (dom0/backend_sim.c, `--backend sim`) and the
# [sim] config section.  Only the sources whose code depends on the flag are
# compiled twice (TEST_FLAG_SRC, into $(B)/test/obj/); every other object is
# shared, so the flag must never change a struct's layout.  The integration
# tests and bench-latency run the test build; `make install` and the Debian
# packages never see it.

TEST_FLAG_SRC := dom0/backends_xen.c dom0/cfg.c
# backend_sim.c stays out of libcagma-dom0.a (DOM0_SRC is turned into that
# library after the mk/*.mk files are read)
DOM0_SRC := $(filter-out dom0/backend_sim.c,$(DOM0_SRC))

tobj = $(patsubst %.c,$(B)/test/obj/%.o,$(1))
LIB_DOM0_TEST := $(B)/test/lib/libcagma-dom0.a
CAGMAD_TEST := $(B)/test/bin/cagmad
PROGS += $(CAGMAD_TEST)

$(B)/test/obj/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -DCAGMA_TEST_BACKENDS $(XEN_CFLAGS) -c -o $@ $<

$(LIB_DOM0_TEST): $(call tobj,dom0/cfg.c dom0/backend_sim.c) \
    $(call obj,$(filter-out $(TEST_FLAG_SRC),$(DOM0_SRC) $(DOM0_XEN_SRC)))
	@mkdir -p $(@D)
	rm -f $@ && $(AR) rcs $@ $^

$(CAGMAD_TEST): $(call obj,dom0/main.c) $(call tobj,dom0/backends_xen.c) \
    $(LIB_DOM0_TEST) $(LIB_POLICY) $(LIB_COMMON)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $(filter %.o,$^) $(call group,$^) $(XEN_LIBS) \
	    $(INIH_LIBS)

# The dom0 unit tests once more against the test build ([sim] parsing).
UNIT_DOM0_TEST := $(B)/test/tests/test_dom0_testbuild
UNIT_BINS += $(UNIT_DOM0_TEST)
$(UNIT_DOM0_TEST): $(call tobj,tests/unit/test_dom0.c dom0/backends_xen.c) \
    $(LIB_DOM0_TEST) $(LIB_POLICY) $(LIB_COMMON)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $(filter %.o,$^) $(call group,$^) \
	    $(CMOCKA_LIBS) $(XEN_LIBS) $(INIH_LIBS) -lm

-include $(shell find $(B)/test/obj -name '*.d' 2>/dev/null)
