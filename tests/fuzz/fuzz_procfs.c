/*
 * fuzz_procfs.c - libFuzzer target for the /proc parsers (common/procfs.c).
 * The first byte picks the parser; the rest is the file content.  Checks
 * the documented invariants: outputs are only written on success, required
 * meminfo fields are present, PSI averages are within 0..10000.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "procfs.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct procfs_meminfo m, m0;
	struct procfs_vmstat v, v0;
	struct procfs_psi p, p0;
	const char *buf = (const char *)data + 1;
	uint64_t r;
	int rc;

	if (size < 1)
		return 0;
	memset(&m, 0x5a, sizeof(m));
	memset(&v, 0x5a, sizeof(v));
	memset(&p, 0x5a, sizeof(p));
	m0 = m, v0 = v, p0 = p;
	switch (data[0] % 3) {
	case 0:
		rc = procfs_parse_meminfo(buf, size - 1, &m);
		if (rc != 0 && memcmp(&m, &m0, sizeof(m)) != 0)
			abort();
		if (rc == 0 && (m.present & PROCFS_MEM_REQUIRED) !=
		    PROCFS_MEM_REQUIRED)
			abort();
		break;
	case 1:
		rc = procfs_parse_vmstat(buf, size - 1, &v);
		if (rc != 0 && memcmp(&v, &v0, sizeof(v)) != 0)
			abort();
		if (rc == 0)
			(void)procfs_vmstat_refault(&v, &r);
		break;
	default:
		rc = procfs_parse_psi(buf, size - 1, &p);
		if (rc != 0 && memcmp(&p, &p0, sizeof(p)) != 0)
			abort();
		if (rc == 0 && (p.some.avg10_pct100 > 10000 ||
		    p.some.avg60_pct100 > 10000 ||
		    p.some.avg300_pct100 > 10000))
			abort();
		break;
	}
	return 0;
}
