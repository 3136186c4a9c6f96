/*
 * record.h - the v1 stats record codec (xenstore-schema/SCHEMA.md).
 *
 * Wire form: "key=value" pairs separated by single spaces, ASCII, at most
 * CG_RECORD_MAX_LEN bytes, e.g. "v=1 seq=7 mem_total=2048000 ... urgent=0".
 * Known fields are strict unsigned decimals checked against keys.def bounds;
 * unknown fields are skipped (forward compatible) but must be well formed.
 */
#ifndef CAGMA_RECORD_H
#define CAGMA_RECORD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "schema.h"

struct cg_record {
	uint64_t val[CG_F_COUNT];	/* indexed by enum cg_field_id */
	uint32_t present;		/* CG_BIT(id) set when val[id] is valid */
};

enum record_err {
	RECORD_OK = 0,
	RECORD_E_LENGTH,	/* empty or longer than CG_RECORD_MAX_LEN */
	RECORD_E_CHAR,		/* byte outside printable ASCII (incl. NUL) */
	RECORD_E_SYNTAX,	/* not "k=v" separated by single spaces */
	RECORD_E_NUMBER,	/* known field whose value is not [0-9]{1,20} */
	RECORD_E_RANGE,		/* overflow or outside the field's bounds */
	RECORD_E_DUPLICATE,	/* a known field appears twice */
	RECORD_E_MISSING,	/* a mandatory field is absent */
	RECORD_E_VERSION,	/* v is not CG_RECORD_VERSION */
	RECORD_E_INCONSISTENT,	/* e.g. mem_free > mem_total */
	RECORD_E_COUNT
};

/* Why a record was rejected: reason, and the field involved (or -1). */
struct record_error {
	enum record_err reason;
	int field;
};

/* Maximum length of one field name and of an unknown field's value. */
#define RECORD_KEY_MAX		32
#define RECORD_VALUE_MAX	64

/*
 * Decode an untrusted record of exactly len bytes (need not be
 * NUL-terminated).  Returns 0 and fills *rec_out, or -EINVAL and fills
 * *err_out (if not NULL) with the first reason found; *rec_out is written
 * only on success.  O(len); no allocation.
 */
int record_decode(const char *untrusted, size_t len, struct cg_record *rec_out,
    struct record_error *err_out);

/*
 * Check a record built from another source than the wire form (e.g. the
 * libvirt backend's balloon statistics, which are guest-written too):
 * every present field within its keys.def bounds (v == 1), the fields in
 * required (plus v and seq) present, the cross-field checks of
 * record_decode() on every pair present.  0, or -EINVAL and *err_out (if
 * not NULL).  Pure.
 */
int record_validate(const struct cg_record *rec, uint32_t required,
    struct record_error *err_out);

/*
 * Encode rec into buf (size bytes, NUL-terminated on success), known fields
 * in keys.def order, only those present.  Returns the length written (without
 * the NUL), -EINVAL if a mandatory field is missing or a value is out of its
 * bounds, -ENOSPC if buf is too small.
 */
int record_encode(const struct cg_record *rec, char *buf, size_t size);

/* Short static description of a reason, for logs ("duplicate field"). */
const char *record_strerror(enum record_err reason);

static inline void
record_set(struct cg_record *rec, enum cg_field_id id, uint64_t v)
{
	rec->val[id] = v;
	rec->present |= CG_BIT(id);
}

static inline bool
record_has(const struct cg_record *rec, enum cg_field_id id)
{
	return (rec->present & CG_BIT(id)) != 0;
}

/* Value of a field, or dflt when it is absent (optional fields). */
static inline uint64_t
record_get(const struct cg_record *rec, enum cg_field_id id, uint64_t dflt)
{
	return record_has(rec, id) ? rec->val[id] : dflt;
}

#endif
