/*
 * schema.h - C constants generated from keys.def and paths.def.
 *
 * This header is the only way code names a record field or a xenstore path:
 * CG_F_<ID> is the field index, cg_fields[] its metadata, CG_PATH_<ID> the
 * relative path string.
 */
#ifndef CAGMA_SCHEMA_H
#define CAGMA_SCHEMA_H

#include <stdint.h>

#define CG_RECORD_VERSION	1
#define CG_RECORD_MAX_LEN	1024	/* bytes, whole record value */
#define CG_SCHEMA_VERSION	"1"	/* value of ~/data/cagma/version */

/* Bounds: 1 TiB in KiB, and 10^18 for counters (fits any real uptime). */
#define CG_MAX_KB		(1ULL << 30)
#define CG_MAX_COUNT		1000000000000000000ULL

enum cg_unit {
	CG_UNIT_NONE,
	CG_UNIT_KB,
	CG_UNIT_COUNT,
	CG_UNIT_US,
	CG_UNIT_PCT100,
	CG_UNIT_BOOL,
};

enum cg_presence {
	CG_OPTIONAL = 0,
	CG_MANDATORY = 1,
};

enum cg_writer {
	CG_WRITER_GUEST,
	CG_WRITER_DOM0,
};

enum cg_field_id {
#define CG_FIELD(id, name, unit, min, max, flags) CG_F_##id,
#include "keys.def"
#undef CG_FIELD
	CG_F_COUNT
};

struct cg_field_meta {
	const char *name;
	uint8_t name_len;
	enum cg_unit unit;
	uint64_t min;
	uint64_t max;
	enum cg_presence presence;
};

extern const struct cg_field_meta cg_fields[CG_F_COUNT];

/* Bit mask of all mandatory fields. */
#define CG_BIT(id)	(1U << (id))
extern const uint32_t cg_mandatory_mask;

#define CG_PATH(id, path, writer) static const char CG_PATH_##id[] = path;
#include "paths.def"
#undef CG_PATH

_Static_assert(CG_F_COUNT <= 32, "record field mask is 32 bits");

#endif
