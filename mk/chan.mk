# mk/chan.mk - the agent channel on KVM hosts (issue 21, item 3).
#   build/bin/cagma-chanread  the KVM lab's observer of one guest's channel
#                             socket, through cagmad's reader (dom0/chan.c)
CHANREAD := $(B)/bin/cagma-chanread
PROGS += $(CHANREAD)

$(CHANREAD): $(call obj,bench/workloads/chanread.c) \
    $(call obj,bench/workloads/wl.c) $(call obj,dom0/chan.c) $(LIB_COMMON)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $^

# The real check with libvirtd and one QEMU TCG guest (needs the Xen lab
# image in /var/cache/cagma-lab/image and the libvirt packages; ~3 min on
# a loaded 2-core machine).  Not part of `make test`: hL's e2e-kvm covers
# the channel through cagmad.
# kvmchan-cagmad: the same guest read by cagmad-libvirt itself.
.PHONY: kvmchan-check kvmchan-cagmad
kvmchan-check: $(B)/bin/cagma-agent $(B)/bin/cagma-hog $(CHANREAD)
	flock /tmp/cagma-kvmlab.lock tests/kvmchan/check.sh
kvmchan-cagmad: all
	flock /tmp/cagma-kvmlab.lock tests/kvmchan/cagmad.sh
