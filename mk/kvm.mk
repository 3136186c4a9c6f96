# mk/kvm.mk - the KVM lab (issue 21): libvirtd + QEMU TCG guests on this host.
#
#   make e2e-kvm    the end-to-end test of cagmad --backend libvirt (part of
#                   make test; tests/e2e/kvm.sh -> bench/kvm/run-kvm.sh e2e)
#   make bench-kvm  the paper's job on KVM for several policies
#                   (bench/kvm/bench-kvm.sh; table and plot in bench/results)
# The guests boot the Xen lab image's kernel, initrd and root file system
# ($(LAB_CACHE)/image, bench/lab/build-image.sh: built once, cached).
# Run both under `flock /tmp/cagma-kvmlab.lock` on a shared machine.
# The packages: never libvirt-daemon-system (systemd units and polkit: the
# lab starts libvirtd by hand); make deps installs them (--no-install-recommends).
KVM_PKGS := libvirt-daemon libvirt-daemon-driver-qemu libvirt-clients \
            libvirt-dev pkg-config jq
DEPS_PKGS += $(KVM_PKGS)

.PHONY: kvm-deps e2e-kvm bench-kvm
# standalone: install what the lab needs (root only; without root the
# layer says SKIPPED), then build: cagmad-libvirt needs libvirt-dev
kvm-deps:
	@if [ "$$(id -u)" = 0 ]; then sh tests/deps.sh $(KVM_PKGS) qemu-system-x86 \
	    debootstrap e2fsprogs; fi

e2e-kvm: kvm-deps
	$(MAKE) all
	@tests/e2e/kvm.sh $(RESULTS)

bench-kvm: kvm-deps
	$(MAKE) all
	CAGMA_SIM=$(abspath $(B)/bin/cagma-sim) bench/kvm/bench-kvm.sh
