/*
 * test_backend_xen.c - the pure parts of the Xen backend (dom0/backend_xen.c):
 * libxl error codes as -errno, xentoollog levels as cagmad log levels, and
 * the code names that go into the log.  No Xen needed.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include <libxl.h>
#include <xentoollog.h>

#include "backend.h"

static void
test_errno_map(void **state)
{
	static const struct {
		int libxl_rc;
		int rc;
	} t[] = {
		{ 0, 0 },
		{ ERROR_NOMEM, -ENOMEM },
		{ ERROR_INVAL, -EINVAL },
		{ ERROR_VNUMA_CONFIG_INVALID, -EINVAL },
		{ ERROR_NOTFOUND, -ENOENT },
		{ ERROR_DOMAIN_NOTFOUND, -ENOENT },
		{ ERROR_DOMAIN_DESTROYED, -ENOENT },
		{ ERROR_NI, -EOPNOTSUPP },
		{ ERROR_FEATURE_REMOVED, -EOPNOTSUPP },
		{ ERROR_TIMEDOUT, -ETIMEDOUT },
		{ ERROR_GUEST_TIMEDOUT, -ETIMEDOUT },
		{ ERROR_LOCK_FAIL, -ENOLCK },
		{ ERROR_NOT_READY, -EAGAIN },
		{ ERROR_ABORTED, -ECANCELED },
		{ ERROR_BUFFERFULL, -ENOBUFS },
		{ ERROR_VERSION, -EPROTO },
		{ ERROR_DEVICE_EXISTS, -EEXIST },
		{ ERROR_FAIL, -EIO },
		{ ERROR_NONSPECIFIC, -EIO },
		{ ERROR_BADFAIL, -EIO },
		{ ERROR_QMP_GENERIC_ERROR, -EIO },
		{ -1000, -EIO },	/* unknown code */
		{ 7, -EIO },		/* not a libxl return value */
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		int rc = backend_xen_errno(t[i].libxl_rc);

		if (rc != t[i].rc)
			fail_msg("libxl %d: got %d, want %d", t[i].libxl_rc,
			    rc, t[i].rc);
	}
}

static void
test_log_level_map(void **state)
{
	static const struct {
		int xtl;
		enum log_level lvl;
	} t[] = {
		{ XTL_NONE, LOGLVL_DEBUG },
		{ XTL_DEBUG, LOGLVL_DEBUG },
		{ XTL_VERBOSE, LOGLVL_DEBUG },
		{ XTL_DETAIL, LOGLVL_DEBUG },
		{ XTL_PROGRESS, LOGLVL_DEBUG },
		{ XTL_INFO, LOGLVL_INFO },
		{ XTL_NOTICE, LOGLVL_INFO },
		{ XTL_WARN, LOGLVL_WARN },
		{ XTL_ERROR, LOGLVL_ERR },
		{ XTL_CRITICAL, LOGLVL_ERR },
		{ XTL_NUM_LEVELS, LOGLVL_ERR },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		if (backend_xen_log_level(t[i].xtl) != t[i].lvl)
			fail_msg("xtl level %d: got %d, want %d", t[i].xtl,
			    (int)backend_xen_log_level(t[i].xtl),
			    (int)t[i].lvl);
}

static void
test_code_names(void **state)
{
	(void)state;
	assert_string_equal(backend_xen_strerror(ERROR_FAIL), "fail");
	assert_string_equal(backend_xen_strerror(ERROR_DOMAIN_NOTFOUND),
	    "domain_notfound");
	assert_string_equal(backend_xen_strerror(ERROR_NOMEM), "nomem");
	assert_string_equal(backend_xen_strerror(-1000), "unknown");
}

/* The direct path writes what libxl_set_memory_target(enforce=1) would. */
static void
test_direct_plan(void **state)
{
	struct xen_direct_plan pl;

	(void)state;
	/* PV, no videoram: target as given, max + LIBXL_MAXMEM_CONSTANT */
	assert_int_equal(backend_xen_direct_plan(393216, 0, 1048576, false,
	    &pl), 0);
	assert_int_equal(pl.xs_target_kb, 393216);
	assert_int_equal(pl.maxmem_kb, 393216 + 1024);
	assert_int_equal(pl.pod_pages, 0);
	assert_int_equal(pl.vm_memory_mb, 384);
	/* HVM with 8 MiB videoram: libxl's new_target = target - videoram,
	   max = new_target + videoram + 1024, PoD (new_target + 1024) / 4 */
	assert_int_equal(backend_xen_direct_plan(532480, 8192, 1048576, true,
	    &pl), 0);
	assert_int_equal(pl.xs_target_kb, 524288);
	assert_int_equal(pl.maxmem_kb, 532480 + 1024);
	assert_int_equal(pl.pod_pages, (524288 + 1024) / 4);
	assert_int_equal(pl.vm_memory_mb, 512);
	/* at static-max exactly: fine; above it: refused, as libxl does */
	assert_int_equal(backend_xen_direct_plan(1048576, 0, 1048576, false,
	    &pl), 0);
	assert_int_equal(backend_xen_direct_plan(1048577, 0, 1048576, false,
	    &pl), -EINVAL);
	/* videoram counts against the target, not static-max */
	assert_int_equal(backend_xen_direct_plan(1056768, 8192, 1048576, true,
	    &pl), 0);
	/* below videoram: libxl's unsigned difference wraps, ERROR_INVAL */
	assert_int_equal(backend_xen_direct_plan(4096, 8192, 1048576, true,
	    &pl), -EINVAL);
}

static void
test_uuid_str(void **state)
{
	static const uint8_t h[16] = { 0x00, 0x11, 0x22, 0x33, 0x44, 0x55,
	    0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff };
	char s[37];

	(void)state;
	memset(s, 'x', sizeof(s));
	backend_xen_uuid_str(h, s);
	assert_string_equal(s, "00112233-4455-6677-8899-aabbccddeeff");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_errno_map),
		cmocka_unit_test(test_log_level_map),
		cmocka_unit_test(test_code_names),
		cmocka_unit_test(test_direct_plan),
		cmocka_unit_test(test_uuid_str),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
