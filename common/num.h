/*
 * num.h - strict decimal number parsing and formatting.
 *
 * The one parser for every number a guest writes.  No sign, no whitespace,
 * no leading or trailing junk, no locale, overflow checked.
 */
#ifndef CAGMA_NUM_H
#define CAGMA_NUM_H

#include <stddef.h>
#include <stdint.h>

#define NUM_U64_MAX_DIGITS	20	/* strlen("18446744073709551615") */

/*
 * Parse exactly len bytes of ASCII decimal: [0-9]{1,20}, no sign, no
 * whitespace, no trailing bytes; embedded NUL bytes are rejected.
 * Leading zeros are accepted ("007" is 7) but count toward the 20 digits.
 * Input is untrusted and need not be NUL-terminated.
 * Returns 0 and sets *out, -EINVAL on syntax, -ERANGE on overflow or a value
 * outside [min, max]; *out is untouched on failure.
 */
int num_parse_u64(const char *untrusted, size_t len, uint64_t min,
    uint64_t max, uint64_t *out);

/*
 * Write v in decimal to buf (no NUL); buf must hold NUM_U64_MAX_DIGITS bytes.
 * Returns the number of bytes written (1..20).  Cannot fail.
 */
size_t num_fmt_u64(char *buf, uint64_t v);

#endif
