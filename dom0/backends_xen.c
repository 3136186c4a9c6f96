/*
 * backends_xen.c - the backends of cagmad: "xen" (libxl, backend_xen.c),
 * and "sim" in the test build (-DCAGMA_TEST_BACKENDS, backend_sim.c),
 * both with the xenstore side (daemon_xs.c).
 */
#include <stddef.h>

#include "backend.h"
#include "daemon.h"

static int
backends_open_xen(struct backend *be)
{
	int rc = daemon_xs_attach(be);

	return rc != 0 ? rc : backend_xen_open(be);
}

#ifdef CAGMA_TEST_BACKENDS
static int
backends_open_sim(struct backend *be)
{
	int rc = daemon_xs_attach(be);

	return rc != 0 ? rc : backend_sim_open(be);
}
#endif

const struct backend_entry backend_table[] = {
	{ "xen", backends_open_xen },
#ifdef CAGMA_TEST_BACKENDS
	{ "sim", backends_open_sim },
#endif
	{ NULL, NULL },
};

#ifdef CAGMA_TEST_BACKENDS
const char backend_names[] = "xen|sim";
#else
const char backend_names[] = "xen";
#endif
const char backend_program[] = "cagmad";
