# mk/trixie.mk - the Debian 13 layers (issue 18): build, unit and
# integration tests (Debian 13's xenstored, Xen 4.20) in a Debian 13 root
# made with debootstrap and cached in $(D13_CACHE) (default
# /var/cache/cagma-d13, outside the clone; rebuilt when its package list or
# the code that builds it change).  Needs root.
#   make test-trixie   writes unit-trixie.txt and integration-trixie.txt
#                      into $(RESULTS); `make test` runs it after the
#                      Debian 12 layers.
DEPS_PKGS += debootstrap

.PHONY: test-trixie
test-trixie: deps
	@mkdir -p $(RESULTS)
	tests/trixie/run.sh $(RESULTS)
