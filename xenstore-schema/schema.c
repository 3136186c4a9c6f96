/*
 * schema.c - field metadata generated from keys.def.
 */
#include "schema.h"

const struct cg_field_meta cg_fields[CG_F_COUNT] = {
#define CG_FIELD(id, name, unit, min, max, flags) \
	[CG_F_##id] = { name, sizeof(name) - 1, unit, min, max, flags },
#include "keys.def"
#undef CG_FIELD
};

const uint32_t cg_mandatory_mask = 0
#define CG_FIELD(id, name, unit, min, max, flags) \
	| ((flags) == CG_MANDATORY ? CG_BIT(CG_F_##id) : 0U)
#include "keys.def"
#undef CG_FIELD
	;
