/*
 * test_xlcfg.c - dom0/xlcfg.c against real `xl create -n` output: the
 * fixtures under tests/fixtures/xl/<xen version>/ were captured in the Xen
 * lab (bench/lab/share/job-vmstart.sh writes them to the run's out/) from
 * the lab's new guest: PV, memory = 768, maxmem = 1024, 1 vCPU, name "new"
 * (4.17: three disks, 4.20: one).  xl's stdout only (its "Parsing config"
 * line, and on 4.20 a harmless libxl_domain_info error for domid -1 in
 * SXP mode, go to stderr).  JSON is xl's default output, SXP its
 * output_format="sxp".
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "xlcfg.h"

#define FIX		"tests/fixtures/xl/"
#define FIX_MAX		(64 * 1024)

/* The file's bytes, NUL-terminated (fails the test if unreadable). */
static char *
fixture(const char *path, size_t *len_out)
{
	char *buf = malloc(FIX_MAX + 1);
	FILE *fp = fopen(path, "r");
	size_t n;

	if (buf == NULL || fp == NULL)
		fail_msg("cannot read %s", path);
	n = fread(buf, 1, FIX_MAX, fp);
	fclose(fp);
	if (n == 0 || n == FIX_MAX)
		fail_msg("%s: empty or too large (%zu bytes)", path, n);
	buf[n] = '\0';
	*len_out = n;
	return buf;
}

static void
check_new_guest(const char *path)
{
	struct xlcfg x;
	size_t len;
	char *buf = fixture(path, &len);

	if (xlcfg_parse(buf, len, &x) != 0)
		fail_msg("%s: not parsed", path);
	assert_string_equal(x.name, "new");
	assert_false(x.hvm);
	assert_int_equal(x.target_kb, 768 * 1024);
	assert_int_equal(x.max_kb, 1024 * 1024);
	assert_int_equal(x.vcpus, 1);
	/* PV: LIBXL_PV_EXTRA_MEMORY (1 MiB), the total rounded to 2 MiB */
	assert_int_equal(xlcfg_overhead_kb(&x), 2048);
	free(buf);
}

static void
test_xl417_json(void **state)
{
	(void)state;
	check_new_guest(FIX "4.17/create-n.json");
}

static void
test_xl417_sxp(void **state)
{
	(void)state;
	check_new_guest(FIX "4.17/create-n.sxp");
}

static void
test_xl420_json(void **state)
{
	(void)state;
	check_new_guest(FIX "4.20/create-n.json");
}

static void
test_xl420_sxp(void **state)
{
	(void)state;
	check_new_guest(FIX "4.20/create-n.sxp");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_xl417_json),
		cmocka_unit_test(test_xl417_sxp),
		cmocka_unit_test(test_xl420_json),
		cmocka_unit_test(test_xl420_sxp),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
