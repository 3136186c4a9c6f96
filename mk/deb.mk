# mk/deb.mk - Debian packages (issue 18, item 3).
#
#   make deb   cagmad_*.deb (dom0) and cagma-agent_*.deb (guests) with
#              debhelper for the release this machine runs, into build/deb/
#              (built in a copy of the tree there: nothing is written to the
#              repository or its parent directory)
#   make deb-test   checks the built .debs' contents (tests/deb-check.sh);
#              `make check` runs it (and lintian) when they exist
# Packaging: debian/.  The packages hold only the shipped programs: no
# cagma-sim, no test build of cagmad.

DEPS_PKGS += debhelper dpkg-dev fakeroot lintian libvirt-dev
DEB_DIR := build/deb

.PHONY: deb deb-test
deb:
	@sh tests/deb-build.sh $(DEB_DIR)

deb-test:
	@sh tests/deb-check.sh $(DEB_DIR)
