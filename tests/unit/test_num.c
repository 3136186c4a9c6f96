/*
 * test_num.c - strict decimal parser and formatter (common/num.c).
 * Table-driven: one cmocka test per row.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "num.h"

struct num_case {
	const char *in;
	size_t len;		/* 0: strlen(in) */
	uint64_t min, max;
	int rc;
	uint64_t want;
};

#define S(str) str, sizeof(str) - 1
static struct num_case cases[] = {
	{ S("0"), 0, UINT64_MAX, 0, 0 },
	{ S("4096"), 0, UINT64_MAX, 0, 4096 },
	{ S("007"), 0, UINT64_MAX, 0, 7 },
	{ S("18446744073709551615"), 0, UINT64_MAX, 0, UINT64_MAX },
	{ S("18446744073709551616"), 0, UINT64_MAX, -ERANGE, 0 },	/* +1 */
	{ S("99999999999999999999"), 0, UINT64_MAX, -ERANGE, 0 },
	{ S("123456789012345678901"), 0, UINT64_MAX, -EINVAL, 0 },	/* 21 */
	{ S(""), 0, UINT64_MAX, -EINVAL, 0 },
	{ S("a4096"), 0, UINT64_MAX, -EINVAL, 0 },
	{ S("4096a"), 0, UINT64_MAX, -EINVAL, 0 },
	{ S("4096 1024"), 0, UINT64_MAX, -EINVAL, 0 },
	{ S("4096\n1024"), 0, UINT64_MAX, -EINVAL, 0 },
	{ S(" 1"), 0, UINT64_MAX, -EINVAL, 0 },
	{ S("1 "), 0, UINT64_MAX, -EINVAL, 0 },
	{ S("-1"), 0, UINT64_MAX, -EINVAL, 0 },
	{ S("+1"), 0, UINT64_MAX, -EINVAL, 0 },
	{ S("0x10"), 0, UINT64_MAX, -EINVAL, 0 },
	{ S("1\0" "2"), 0, UINT64_MAX, -EINVAL, 0 },	/* embedded NUL */
	{ S("1.5"), 0, UINT64_MAX, -EINVAL, 0 },
	{ S("5"), 10, 20, -ERANGE, 0 },			/* below min */
	{ S("21"), 10, 20, -ERANGE, 0 },		/* above max */
	{ S("10"), 10, 20, 0, 10 },			/* bounds inclusive */
	{ S("20"), 10, 20, 0, 20 },
	{ S("184467440737095516150"), 0, UINT64_MAX, -EINVAL, 0 },
	{ S("18446744073709551616x"), 0, UINT64_MAX, -EINVAL, 0 },
};

static void
test_parse_row(void **state)
{
	const struct num_case *c = *state;
	uint64_t out = 0xdeadbeef;
	int rc = num_parse_u64(c->in, c->len, c->min, c->max, &out);

	assert_int_equal(rc, c->rc);
	if (rc == 0)
		assert_int_equal(out, c->want);
	else
		assert_int_equal(out, 0xdeadbeef);	/* untouched */
}

/* Only len bytes are read: a longer buffer with junk after is fine. */
static void
test_parse_len_bounded(void **state)
{
	uint64_t out;

	(void)state;
	assert_int_equal(num_parse_u64("12junk", 2, 0, 100, &out), 0);
	assert_int_equal(out, 12);
	assert_int_equal(num_parse_u64(NULL, 0, 0, 1, &out), -EINVAL);
}

static void
test_fmt_roundtrip(void **state)
{
	static const uint64_t vals[] = { 0, 1, 9, 10, 4096, 1000000007ULL,
	    UINT64_MAX };
	char buf[NUM_U64_MAX_DIGITS];
	uint64_t back;
	size_t i, n;

	(void)state;
	for (i = 0; i < sizeof(vals) / sizeof(vals[0]); i++) {
		n = num_fmt_u64(buf, vals[i]);
		assert_in_range(n, 1, NUM_U64_MAX_DIGITS);
		assert_int_equal(num_parse_u64(buf, n, 0, UINT64_MAX, &back), 0);
		assert_int_equal(back, vals[i]);
	}
	assert_int_equal(num_fmt_u64(buf, UINT64_MAX), 20);
	assert_memory_equal(buf, "18446744073709551615", 20);
}

int
main(void)
{
	struct CMUnitTest tests[sizeof(cases) / sizeof(cases[0]) + 2];
	size_t i, n = 0;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		tests[n] = (struct CMUnitTest)cmocka_unit_test_prestate(
		    test_parse_row, (void *)&cases[i]);
		tests[n++].name = cases[i].in[0] ? cases[i].in : "(empty)";
	}
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_parse_len_bounded);
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_fmt_roundtrip);
	return _cmocka_run_group_tests("num", tests, n, NULL, NULL);
}
