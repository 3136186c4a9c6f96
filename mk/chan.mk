# mk/chan.mk - the agent channel on KVM hosts (issue 21, item 3).
#   build/bin/cagma-chanread  the KVM lab's observer of one guest's channel
#                             socket, through cagmad's reader (dom0/chan.c)
CHANREAD := $(B)/bin/cagma-chanread
PROGS += $(CHANREAD)

$(CHANREAD): $(call obj,bench/workloads/chanread.c) \
    $(call obj,bench/workloads/wl.c) $(call obj,dom0/chan.c) $(LIB_COMMON)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $^
