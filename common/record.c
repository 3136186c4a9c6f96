/*
 * record.c - the v1 stats record codec.
 */
#include <errno.h>
#include <string.h>

#include "num.h"
#include "record.h"

static const char *const record_reasons[RECORD_E_COUNT] = {
	[RECORD_OK] = "ok",
	[RECORD_E_LENGTH] = "bad length",
	[RECORD_E_CHAR] = "non-printable byte",
	[RECORD_E_SYNTAX] = "syntax error",
	[RECORD_E_NUMBER] = "not a decimal number",
	[RECORD_E_RANGE] = "value out of range",
	[RECORD_E_DUPLICATE] = "duplicate field",
	[RECORD_E_MISSING] = "missing mandatory field",
	[RECORD_E_VERSION] = "unsupported version",
	[RECORD_E_INCONSISTENT] = "inconsistent values",
};

const char *
record_strerror(enum record_err reason)
{
	if ((unsigned)reason >= RECORD_E_COUNT)
		return "unknown error";
	return record_reasons[reason];
}

static int
record_fail(struct record_error *err_out, enum record_err reason, int field)
{
	if (err_out != NULL) {
		err_out->reason = reason;
		err_out->field = field;
	}
	return -EINVAL;
}

static int
record_lookup(const char *key, size_t len)
{
	int i;

	for (i = 0; i < CG_F_COUNT; i++)
		if (cg_fields[i].name_len == len &&
		    memcmp(cg_fields[i].name, key, len) == 0)
			return i;
	return -1;
}

static int
record_key_ok(const char *key, size_t len)
{
	size_t i;

	if (len == 0 || len > RECORD_KEY_MAX)
		return 0;
	for (i = 0; i < len; i++) {
		char c = key[i];

		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		    c == '_'))
			return 0;
	}
	return 1;
}

/* One "key=value" token [tok, tok+len): no spaces inside by construction. */
static int
record_field(const char *tok, size_t len, struct cg_record *rec,
    struct record_error *err_out)
{
	const char *eq = memchr(tok, '=', len);
	size_t klen, vlen;
	uint64_t v;
	int id, rc;

	if (eq == NULL)
		return record_fail(err_out, RECORD_E_SYNTAX, -1);
	klen = (size_t)(eq - tok);
	vlen = len - klen - 1;
	if (!record_key_ok(tok, klen) || vlen == 0 ||
	    memchr(eq + 1, '=', vlen) != NULL)
		return record_fail(err_out, RECORD_E_SYNTAX, -1);
	id = record_lookup(tok, klen);
	if (id < 0)	/* unknown: forward compatible, but bounded */
		return vlen <= RECORD_VALUE_MAX ? 0 :
		    record_fail(err_out, RECORD_E_SYNTAX, -1);
	if (rec->present & CG_BIT(id))
		return record_fail(err_out, RECORD_E_DUPLICATE, id);
	rc = num_parse_u64(eq + 1, vlen, cg_fields[id].min, cg_fields[id].max,
	    &v);
	if (rc == -EINVAL)
		return record_fail(err_out, RECORD_E_NUMBER, id);
	if (rc != 0)
		return record_fail(err_out, RECORD_E_RANGE, id);
	record_set(rec, (enum cg_field_id)id, v);
	return 0;
}

/*
 * Cross-field checks: a record that contradicts itself is a lie or a bug.
 * required: the fields that must be present (cg_mandatory_mask for the
 * wire form).  A pair is compared only when both fields are present.
 */
static int
record_check(const struct cg_record *rec, uint32_t required,
    struct record_error *err_out)
{
	static const enum cg_field_id pairs[][2] = {	/* [0] <= [1] */
		{ CG_F_MEM_FREE, CG_F_MEM_TOTAL },
		{ CG_F_MEM_AVAIL, CG_F_MEM_TOTAL },
		{ CG_F_SWAP_FREE, CG_F_SWAP_TOTAL },
		{ CG_F_PSI_FULL_US, CG_F_PSI_SOME_US },
	};
	uint32_t missing = required & ~rec->present;
	size_t i;

	if (missing != 0)
		return record_fail(err_out, RECORD_E_MISSING,
		    __builtin_ctz(missing));
	for (i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++)
		if (record_has(rec, pairs[i][0]) &&
		    record_has(rec, pairs[i][1]) &&
		    rec->val[pairs[i][0]] > rec->val[pairs[i][1]])
			return record_fail(err_out, RECORD_E_INCONSISTENT,
			    pairs[i][0]);
	return 0;
}

int
record_validate(const struct cg_record *rec, uint32_t required,
    struct record_error *err_out)
{
	int i;

	for (i = 0; i < CG_F_COUNT; i++)
		if (record_has(rec, (enum cg_field_id)i) &&
		    (rec->val[i] < cg_fields[i].min ||
		    rec->val[i] > cg_fields[i].max))
			return record_fail(err_out, i == CG_F_V ?
			    RECORD_E_VERSION : RECORD_E_RANGE, i);
	if ((rec->present & ~(uint32_t)((1ULL << CG_F_COUNT) - 1)) != 0)
		return record_fail(err_out, RECORD_E_RANGE, -1);
	return record_check(rec, required | CG_BIT(CG_F_V) | CG_BIT(CG_F_SEQ),
	    err_out);
}

int
record_decode(const char *untrusted, size_t len, struct cg_record *rec_out,
    struct record_error *err_out)
{
	struct cg_record rec;
	size_t i, start = 0;
	int rc;

	if (untrusted == NULL || len == 0 || len > CG_RECORD_MAX_LEN)
		return record_fail(err_out, RECORD_E_LENGTH, -1);
	rec.present = 0;
	for (i = 0; i <= len; i++) {
		if (i < len) {
			unsigned char c = (unsigned char)untrusted[i];

			if (c < 0x20 || c > 0x7e)
				return record_fail(err_out, RECORD_E_CHAR, -1);
			if (c != ' ')
				continue;
		}
		if (i == start)	/* leading, trailing or double space */
			return record_fail(err_out, RECORD_E_SYNTAX, -1);
		rc = record_field(untrusted + start, i - start, &rec, err_out);
		if (rc != 0)
			return rc;
		start = i + 1;
	}
	if (record_has(&rec, CG_F_V) && rec.val[CG_F_V] != CG_RECORD_VERSION)
		return record_fail(err_out, RECORD_E_VERSION, CG_F_V);
	rc = record_check(&rec, cg_mandatory_mask, err_out);
	if (rc != 0)
		return rc;
	*rec_out = rec;
	if (err_out != NULL) {
		err_out->reason = RECORD_OK;
		err_out->field = -1;
	}
	return 0;
}

int
record_encode(const struct cg_record *rec, char *buf, size_t size)
{
	size_t pos = 0;
	int i;

	if ((cg_mandatory_mask & ~rec->present) != 0)
		return -EINVAL;
	for (i = 0; i < CG_F_COUNT; i++) {
		const struct cg_field_meta *f = &cg_fields[i];

		if (!(rec->present & CG_BIT(i)))
			continue;
		if (rec->val[i] < f->min || rec->val[i] > f->max)
			return -EINVAL;
		/* separator + name + '=' + digits + final NUL */
		if (pos + 1 + f->name_len + 1 + NUM_U64_MAX_DIGITS + 1 > size)
			return -ENOSPC;
		if (pos != 0)
			buf[pos++] = ' ';
		memcpy(buf + pos, f->name, f->name_len);
		pos += f->name_len;
		buf[pos++] = '=';
		pos += num_fmt_u64(buf + pos, rec->val[i]);
	}
	buf[pos] = '\0';
	return (int)pos;
}
