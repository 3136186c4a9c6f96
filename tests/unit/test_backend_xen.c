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

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_errno_map),
		cmocka_unit_test(test_log_level_map),
		cmocka_unit_test(test_code_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
