/*
 * num.c - strict decimal number parsing and formatting.
 */
#include <errno.h>

#include "num.h"

int
num_parse_u64(const char *untrusted, size_t len, uint64_t min, uint64_t max,
    uint64_t *out)
{
	uint64_t v = 0;
	size_t i;

	if (untrusted == NULL || len == 0 || len > NUM_U64_MAX_DIGITS)
		return -EINVAL;
	for (i = 0; i < len; i++) {
		unsigned d = (unsigned char)untrusted[i] - (unsigned)'0';

		if (d > 9)
			return -EINVAL;
		if (v > (UINT64_MAX - d) / 10) {
			/* keep scanning: junk after an overflow is -EINVAL */
			for (i++; i < len; i++)
				if ((unsigned char)untrusted[i] - (unsigned)'0' > 9)
					return -EINVAL;
			return -ERANGE;
		}
		v = v * 10 + d;
	}
	if (v < min || v > max)
		return -ERANGE;
	*out = v;
	return 0;
}

size_t
num_fmt_u64(char *buf, uint64_t v)
{
	char tmp[NUM_U64_MAX_DIGITS];
	size_t n = 0, i;

	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v != 0);
	for (i = 0; i < n; i++)
		buf[i] = tmp[n - 1 - i];
	return n;
}
