/*
 * fuzz_record.c - libFuzzer target for the stats record decoder.
 *
 * Checks more than "no crash": whatever decodes must re-encode, and the
 * encoding must decode to the same record (round trip).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "record.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cg_record rec, again;
	struct record_error err;
	char buf[CG_RECORD_MAX_LEN + 1];
	int len;

	if (record_decode((const char *)data, size, &rec, &err) != 0) {
		if (err.reason == RECORD_OK || err.reason >= RECORD_E_COUNT)
			abort();
		return 0;
	}
	len = record_encode(&rec, buf, sizeof(buf));
	if (len < 0)
		abort();
	if (record_decode(buf, (size_t)len, &again, NULL) != 0)
		abort();
	if (again.present != rec.present)
		abort();
	for (int i = 0; i < CG_F_COUNT; i++)
		if ((rec.present & CG_BIT(i)) && again.val[i] != rec.val[i])
			abort();
	return 0;
}
