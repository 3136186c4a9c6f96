/*
 * backend.c - backend names and backend_open().
 *
 * The shipped cagmad knows only "xen".  The test build (compiled with
 * -DCAGMA_TEST_BACKENDS, mk/cagmad-test.mk) adds "sim" (backend_sim.c), which
 * the integration tests use against a real xenstored without a hypervisor.
 */
#include <errno.h>
#include <string.h>

#include "backend.h"

#ifdef CAGMA_TEST_BACKENDS
const char backend_names[] = "xen|sim";
#else
const char backend_names[] = "xen";
#endif

int
backend_check(const char *name)
{
	if (strcmp(name, "xen") == 0)
		return 0;
	if (strcmp(name, "sim") == 0)
#ifdef CAGMA_TEST_BACKENDS
		return 0;
#else
		return -EPERM;
#endif
	return -ENOENT;
}

int
backend_open(struct backend *be, const char *name, struct xsio *xs,
    const struct cagmad_cfg *cfg)
{
	int rc;

	rc = backend_check(name);
	if (rc != 0)
		return rc == -EPERM ? -ENOENT : rc;
	memset(be, 0, sizeof(*be));
	be->xs = xs;
	be->cfg = cfg;
#ifdef CAGMA_TEST_BACKENDS
	if (strcmp(name, "sim") == 0)
		return backend_sim_open(be);
#endif
	return backend_xen_open(be);
}
