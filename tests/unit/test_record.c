/*
 * test_record.c - the v1 stats record codec (common/record.c).
 * Table-driven: one cmocka test per row; every rejection reason covered.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "record.h"

#define BASE "v=1 seq=7 mem_total=2048000 mem_free=100000 " \
	"mem_avail=900000 swap_total=524284 swap_free=500000 pswpin=10 " \
	"pswpout=20 pgscan_kswapd=30 pgmajfault=40 refault=50 " \
	"psi_some_us=600 psi_full_us=70 urgent=0"

struct rec_case {
	const char *name;
	const char *in;
	size_t len;		/* 0: strlen(in) */
	enum record_err reason;	/* RECORD_OK: must decode */
	int field;		/* expected field, -2: don't care */
};

static struct rec_case cases[] = {
	{ "valid", BASE, 0, RECORD_OK, -1 },
	{ "valid-any-order", "urgent=1 psi_full_us=0 psi_some_us=0 refault=0 "
	  "pgmajfault=0 pgscan_kswapd=0 pswpout=0 pswpin=0 swap_free=0 "
	  "swap_total=0 mem_avail=1 mem_free=1 mem_total=1 seq=0 v=1", 0,
	  RECORD_OK, -1 },
	{ "unknown-field-ignored", BASE " future_field=abc", 0, RECORD_OK, -1 },
	{ "optional-fields", BASE " cached=123 psi_some_avg10=9999 has_psi=1",
	  0, RECORD_OK, -1 },
	{ "empty", "", 0, RECORD_E_LENGTH, -1 },
	{ "nul-byte", BASE "\0", sizeof(BASE), RECORD_E_CHAR, -1 },
	{ "newline", "v=1\nseq=1", 0, RECORD_E_CHAR, -1 },
	{ "high-byte", "v=1 seq=\xff", 0, RECORD_E_CHAR, -1 },
	{ "tab", "v=1\tseq=1", 0, RECORD_E_CHAR, -1 },
	{ "leading-space", " " BASE, 0, RECORD_E_SYNTAX, -1 },
	{ "trailing-space", BASE " ", 0, RECORD_E_SYNTAX, -1 },
	{ "double-space", "v=1  seq=1", 0, RECORD_E_SYNTAX, -1 },
	{ "no-equals", BASE " urgent", 0, RECORD_E_SYNTAX, -1 },
	{ "empty-key", BASE " =5", 0, RECORD_E_SYNTAX, -1 },
	{ "empty-value", "v= seq=1", 0, RECORD_E_SYNTAX, -1 },
	{ "uppercase-key", BASE " Seq=1", 0, RECORD_E_SYNTAX, -1 },
	{ "double-equals", BASE " x=1=2", 0, RECORD_E_SYNTAX, -1 },
	{ "unknown-value-too-long", BASE " x=0123456789012345678901234567890"
	  "12345678901234567890123456789012345", 0, RECORD_E_SYNTAX, -1 },
	{ "negative", "v=1 seq=-1", 0, RECORD_E_NUMBER, CG_F_SEQ },
	{ "plus", "v=1 seq=+1", 0, RECORD_E_NUMBER, CG_F_SEQ },
	{ "hex", "v=1 seq=0x1", 0, RECORD_E_NUMBER, CG_F_SEQ },
	{ "letters", "v=1 mem_total=lots", 0, RECORD_E_NUMBER, CG_F_MEM_TOTAL },
	{ "overflow", "v=1 pswpin=18446744073709551616", 0, RECORD_E_RANGE,
	  CG_F_PSWPIN },
	{ "above-counter-bound", "v=1 pswpin=1000000000000000001", 0,
	  RECORD_E_RANGE, CG_F_PSWPIN },
	{ "kb-above-1TiB", "v=1 mem_total=1073741825", 0, RECORD_E_RANGE,
	  CG_F_MEM_TOTAL },
	{ "zero-mem-total", BASE " mem_total=0", 0, RECORD_E_DUPLICATE,
	  CG_F_MEM_TOTAL },
	{ "urgent-2", "v=1 urgent=2", 0, RECORD_E_RANGE, CG_F_URGENT },
	{ "avg10-above-100pct", BASE " psi_some_avg10=10001", 0,
	  RECORD_E_RANGE, CG_F_PSI_SOME_AVG10 },
	{ "version-0", "v=0", 0, RECORD_E_RANGE, CG_F_V },
	{ "duplicate", BASE " seq=8", 0, RECORD_E_DUPLICATE, CG_F_SEQ },
	{ "missing-all-but-v", "v=1", 0, RECORD_E_MISSING, CG_F_SEQ },
	{ "free-above-total", "v=1 seq=1 mem_total=10 mem_free=11 mem_avail=1 "
	  "swap_total=0 swap_free=0 pswpin=0 pswpout=0 pgscan_kswapd=0 "
	  "pgmajfault=0 refault=0 psi_some_us=0 psi_full_us=0 urgent=0", 0,
	  RECORD_E_INCONSISTENT, CG_F_MEM_FREE },
	{ "avail-above-total", "v=1 seq=1 mem_total=10 mem_free=1 mem_avail=11 "
	  "swap_total=0 swap_free=0 pswpin=0 pswpout=0 pgscan_kswapd=0 "
	  "pgmajfault=0 refault=0 psi_some_us=0 psi_full_us=0 urgent=0", 0,
	  RECORD_E_INCONSISTENT, CG_F_MEM_AVAIL },
	{ "swapfree-above-total", "v=1 seq=1 mem_total=10 mem_free=1 "
	  "mem_avail=1 swap_total=5 swap_free=6 pswpin=0 pswpout=0 "
	  "pgscan_kswapd=0 pgmajfault=0 refault=0 psi_some_us=0 psi_full_us=0 "
	  "urgent=0", 0, RECORD_E_INCONSISTENT, CG_F_SWAP_FREE },
	{ "psi-full-above-some", "v=1 seq=1 mem_total=10 mem_free=1 "
	  "mem_avail=1 swap_total=0 swap_free=0 pswpin=0 pswpout=0 "
	  "pgscan_kswapd=0 pgmajfault=0 refault=0 psi_some_us=1 psi_full_us=2 "
	  "urgent=0", 0, RECORD_E_INCONSISTENT, CG_F_PSI_FULL_US },
};

static void
test_decode_row(void **state)
{
	const struct rec_case *c = *state;
	size_t len = c->len ? c->len : strlen(c->in);
	struct record_error err = { RECORD_E_COUNT, -3 };
	struct cg_record rec;
	int rc;

	memset(&rec, 0xa5, sizeof(rec));
	rc = record_decode(c->in, len, &rec, &err);
	assert_int_equal(err.reason, c->reason);
	if (c->reason == RECORD_OK) {
		assert_int_equal(rc, 0);
		assert_int_equal(rec.present & cg_mandatory_mask,
		    cg_mandatory_mask);
		return;
	}
	assert_int_equal(rc, -EINVAL);
	if (c->field != -2)
		assert_int_equal(err.field, c->field);
	assert_int_equal(rec.present, 0xa5a5a5a5);	/* untouched */
}

static void
test_decode_values(void **state)
{
	struct cg_record rec;

	(void)state;
	assert_int_equal(record_decode(BASE, strlen(BASE), &rec, NULL), 0);
	assert_int_equal(rec.val[CG_F_SEQ], 7);
	assert_int_equal(rec.val[CG_F_MEM_TOTAL], 2048000);
	assert_int_equal(rec.val[CG_F_MEM_AVAIL], 900000);
	assert_int_equal(rec.val[CG_F_SWAP_FREE], 500000);
	assert_int_equal(rec.val[CG_F_PSI_FULL_US], 70);
	assert_int_equal(rec.val[CG_F_URGENT], 0);
	assert_false(record_has(&rec, CG_F_CACHED));
	assert_int_equal(record_get(&rec, CG_F_CACHED, 42), 42);
}

/* Each mandatory field removed in turn is reported as that field. */
static void
test_missing_each_mandatory(void **state)
{
	char base[] = BASE, buf[CG_RECORD_MAX_LEN + 1];
	char *tok[CG_F_COUNT], *save = NULL;
	struct record_error err;
	struct cg_record rec;
	int i, j, ntok = 0;

	(void)state;
	for (char *t = strtok_r(base, " ", &save); t != NULL;
	    t = strtok_r(NULL, " ", &save))
		tok[ntok++] = t;
	for (i = 0; i < ntok; i++) {	/* BASE is in keys.def order */
		assert_int_equal(cg_fields[i].presence, CG_MANDATORY);
		buf[0] = '\0';
		for (j = 0; j < ntok; j++) {
			if (j == i)
				continue;
			if (buf[0] != '\0')
				strcat(buf, " ");
			strcat(buf, tok[j]);
		}
		assert_int_equal(record_decode(buf, strlen(buf), &rec, &err),
		    -EINVAL);
		assert_int_equal(err.reason, RECORD_E_MISSING);
		assert_int_equal(err.field, i);
	}
	assert_int_equal(ntok, __builtin_popcount(cg_mandatory_mask));
}

static void
test_length_limits(void **state)
{
	char buf[CG_RECORD_MAX_LEN + 8];
	struct record_error err;
	struct cg_record rec;
	size_t n = strlen(BASE);

	(void)state;
	/* pad with unknown fields up to exactly the limit: accepted */
	memcpy(buf, BASE, n);
	while (n + 10 <= CG_RECORD_MAX_LEN) {
		memcpy(buf + n, " zz=12345", 9);
		n += 9;
	}
	while (n < CG_RECORD_MAX_LEN) {	/* lengthen the last value */
		buf[n++] = '6';
	}
	assert_int_equal(n, CG_RECORD_MAX_LEN);
	assert_int_equal(record_decode(buf, n, &rec, &err), 0);
	buf[n++] = '7';
	assert_int_equal(record_decode(buf, n, &rec, &err), -EINVAL);
	assert_int_equal(err.reason, RECORD_E_LENGTH);
	assert_int_equal(record_decode(NULL, 5, &rec, &err), -EINVAL);
}

static void
test_roundtrip(void **state)
{
	struct cg_record rec, back;
	char buf[CG_RECORD_MAX_LEN + 1];
	int len, i;

	(void)state;
	memset(&rec, 0, sizeof(rec));
	for (i = 0; i < CG_F_COUNT; i++)
		record_set(&rec, (enum cg_field_id)i, cg_fields[i].max);
	record_set(&rec, CG_F_MEM_FREE, 5);
	record_set(&rec, CG_F_MEM_AVAIL, 6);
	len = record_encode(&rec, buf, sizeof(buf));
	assert_true(len > 0 && len <= CG_RECORD_MAX_LEN);
	assert_int_equal((size_t)len, strlen(buf));
	assert_int_equal(record_decode(buf, (size_t)len, &back, NULL), 0);
	assert_int_equal(back.present, rec.present);
	assert_memory_equal(back.val, rec.val, sizeof(rec.val));
	assert_memory_equal(buf, "v=1 seq=", 8);	/* keys.def order */
}

static void
test_encode_errors(void **state)
{
	struct cg_record rec;
	char small[16], buf[CG_RECORD_MAX_LEN + 1];

	(void)state;
	assert_int_equal(record_decode(BASE, strlen(BASE), &rec, NULL), 0);
	assert_int_equal(record_encode(&rec, small, sizeof(small)), -ENOSPC);
	rec.val[CG_F_URGENT] = 2;	/* out of bounds */
	assert_int_equal(record_encode(&rec, buf, sizeof(buf)), -EINVAL);
	rec.val[CG_F_URGENT] = 1;
	rec.present &= ~CG_BIT(CG_F_SEQ);
	assert_int_equal(record_encode(&rec, buf, sizeof(buf)), -EINVAL);
}

static void
test_strerror(void **state)
{
	int i;

	(void)state;
	for (i = 0; i < RECORD_E_COUNT; i++)
		assert_non_null(record_strerror((enum record_err)i));
	assert_string_equal(record_strerror(RECORD_E_DUPLICATE),
	    "duplicate field");
	assert_string_equal(record_strerror((enum record_err)99),
	    "unknown error");
}

int
main(void)
{
	enum { NROWS = sizeof(cases) / sizeof(cases[0]) };
	struct CMUnitTest tests[NROWS + 8];
	size_t i, n = 0;

	for (i = 0; i < NROWS; i++) {
		tests[n] = (struct CMUnitTest)cmocka_unit_test_prestate(
		    test_decode_row, (void *)&cases[i]);
		tests[n++].name = cases[i].name;
	}
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_decode_values);
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(
	    test_missing_each_mandatory);
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_length_limits);
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_roundtrip);
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_encode_errors);
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_strerror);
	return _cmocka_run_group_tests("record", tests, n, NULL, NULL);
}
