/*
 * test_common.c - logging rate limit and escaping, config parsing,
 * monotonic time, and the schema table (common/, xenstore-schema/).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <cmocka.h>

#include "config.h"
#include "log.h"
#include "mtime.h"
#include "record.h"

static void
test_ratelimit_burst_then_interval(void **state)
{
	struct log_ratelimit rl = LOG_RATELIMIT_INIT(1000, 3);
	uint32_t sup = 99;
	int i, ok = 0;

	(void)state;
	for (i = 0; i < 10; i++)
		ok += log_ratelimit(&rl, 5000, &sup);
	assert_int_equal(ok, 3);		/* burst */
	assert_false(log_ratelimit(&rl, 5999, &sup));
	assert_true(log_ratelimit(&rl, 6000, &sup));	/* one token back */
	assert_int_equal(sup, 8);		/* 7 + the 5999 one */
	assert_false(log_ratelimit(&rl, 6001, NULL));
	/* a long quiet period refills only up to the burst */
	for (i = 0, ok = 0; i < 10; i++)
		ok += log_ratelimit(&rl, 100000, NULL);
	assert_int_equal(ok, 3);
}

static void
test_escape(void **state)
{
	char out[32];

	(void)state;
	log_escape(out, sizeof(out), "ab\n\x01\\z", 6);
	assert_string_equal(out, "ab\\x0a\\x01\\x5cz");
	log_escape(out, 12, "0123456789abcdef", 16);
	assert_string_equal(out, "01234567...");
	log_escape(out, sizeof(out), "", 0);
	assert_string_equal(out, "");
}

static void
test_log_preserves_errno(void **state)
{
	(void)state;
	log_init(LOGDEST_STDERR, 1, "test");
	errno = EAGAIN;
	log_warn("warn %d", 1);
	assert_int_equal(errno, EAGAIN);
	log_warnx("warnx");
	log_info("info");
	log_debug("debug");
	assert_int_equal(errno, EAGAIN);
	assert_int_equal(log_getverbose(), 1);
}

static void
test_journal_match(void **state)
{
	(void)state;
	assert_true(log_journal_match("8:12345", 8, 12345));
	assert_false(log_journal_match("8:12345", 8, 12346));
	assert_false(log_journal_match("9:12345", 8, 12345));
	assert_false(log_journal_match("8:12345x", 8, 12345));
	assert_false(log_journal_match("8:", 8, 0));
	assert_false(log_journal_match("", 0, 0));
	assert_false(log_journal_match(NULL, 0, 0));
}

/* Log into a file that JOURNAL_STREAM names: lines carry "<N>", no ident. */
static void
test_log_journal_prefix(void **state)
{
	char path[] = "/tmp/cagma-test-journal-XXXXXX", env[64], buf[256];
	struct stat st;
	int fd, saved;
	ssize_t n;

	(void)state;
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(fstat(fd, &st), 0);
	snprintf(env, sizeof(env), "%llu:%llu", (unsigned long long)st.st_dev,
	    (unsigned long long)st.st_ino);
	fflush(stderr);
	saved = dup(2);
	assert_true(saved >= 0);
	assert_int_equal(dup2(fd, 2), 2);
	setenv("JOURNAL_STREAM", env, 1);
	log_init(LOGDEST_STDERR, 0, "test");
	log_warnx("w %d", 1);
	log_msg(LOGLVL_ERR, "e");
	log_info("i");
	unsetenv("JOURNAL_STREAM");
	log_init(LOGDEST_STDERR, 0, "test");	/* plain stderr again */
	log_info("plain");
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	n = pread(fd, buf, sizeof(buf) - 1, 0);
	close(fd);
	unlink(path);
	assert_true(n > 0);
	buf[n] = '\0';
	assert_string_equal(buf, "<4>w 1\n<3>e\n<6>i\ntest: plain\n");
}

struct cfg_seen {
	int n;
	char last[64];
	uint64_t reserve_kb;
};

static int
cfg_handler(void *user, const char *section, const char *key,
    const char *value, char *err, size_t errlen)
{
	struct cfg_seen *s = user;

	s->n++;
	snprintf(s->last, sizeof(s->last), "%s.%s", section, key);
	if (strcmp(key, "reserve") == 0) {
		if (config_parse_size_kb(value, 65536, CG_MAX_KB,
		    &s->reserve_kb) != 0) {
			snprintf(err, errlen, "reserve: bad size '%s'", value);
			return -EINVAL;
		}
		return 0;
	}
	if (strcmp(key, "ok") == 0)
		return 0;
	snprintf(err, errlen, "unknown key '%s'", key);
	return -EINVAL;
}

static void
test_config_ok(void **state)
{
	struct cfg_seen s = { 0 };
	char err[CONFIG_ERR_MAX];

	(void)state;
	assert_int_equal(config_parse_string("t.conf", "# comment\n"
	    "[global]\nreserve = 256M ; inline comment\n\n[domain web-*]\n"
	    "ok = 1\n", cfg_handler, &s, err, sizeof(err)), 0);
	assert_int_equal(s.n, 2);
	assert_int_equal(s.reserve_kb, 262144);
	assert_string_equal(s.last, "domain web-*.ok");
}

static void
test_config_error_line(void **state)
{
	struct cfg_seen s = { 0 };
	char err[CONFIG_ERR_MAX];

	(void)state;
	assert_int_equal(config_parse_string("t.conf", "[global]\nok = 1\n\n"
	    "bogus = 3\nok = 2\n", cfg_handler, &s, err, sizeof(err)),
	    -EINVAL);
	assert_string_equal(err, "t.conf:4: unknown key 'bogus'");
	assert_int_equal(config_parse_string("t.conf", "[global]\n"
	    "reserve = 1M\n", cfg_handler, &s, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "t.conf:2: reserve: bad size '1M'");
	assert_int_equal(config_parse_string("t.conf", "ok = 1\nnot a pair\n",
	    cfg_handler, &s, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "t.conf:2: syntax error"));
}

static void
test_config_missing_file(void **state)
{
	struct cfg_seen s = { 0 };
	char err[CONFIG_ERR_MAX];

	(void)state;
	assert_int_equal(config_parse_file("/nonexistent/cagma.conf",
	    cfg_handler, &s, err, sizeof(err)), -ENOENT);
	assert_non_null(strstr(err, "/nonexistent/cagma.conf: "));
}

static void
test_config_file(void **state)
{
	char path[] = "/tmp/cagma-test-XXXXXX", err[CONFIG_ERR_MAX];
	struct cfg_seen s = { 0 };
	int fd = mkstemp(path);
	FILE *f;

	(void)state;
	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	fputs("[global]\nreserve = 1G\nok = yes\n", f);
	fclose(f);
	assert_int_equal(config_parse_file(path, cfg_handler, &s, err,
	    sizeof(err)), 0);
	assert_int_equal(s.reserve_kb, 1048576);
	unlink(path);
}

static void
test_config_values(void **state)
{
	uint64_t v;
	bool b;

	(void)state;
	assert_int_equal(config_parse_size_kb("4096", 0, CG_MAX_KB, &v), 0);
	assert_int_equal(v, 4096);
	assert_int_equal(config_parse_size_kb("512K", 0, CG_MAX_KB, &v), 0);
	assert_int_equal(v, 512);
	assert_int_equal(config_parse_size_kb("2GiB", 0, CG_MAX_KB, &v), 0);
	assert_int_equal(v, 2097152);
	assert_int_equal(config_parse_size_kb("2T", 0, CG_MAX_KB, &v), -EINVAL);
	assert_int_equal(config_parse_size_kb("M", 0, CG_MAX_KB, &v), -EINVAL);
	assert_int_equal(config_parse_size_kb("-1M", 0, CG_MAX_KB, &v),
	    -EINVAL);
	assert_int_equal(config_parse_size_kb("2000G", 0, CG_MAX_KB, &v),
	    -ERANGE);
	assert_int_equal(config_parse_size_kb("99999999999999999999M", 0,
	    CG_MAX_KB, &v), -ERANGE);
	assert_int_equal(config_parse_ms("5s", 0, 60000, &v), 0);
	assert_int_equal(v, 5000);
	assert_int_equal(config_parse_ms("100ms", 0, 60000, &v), 0);
	assert_int_equal(v, 100);
	assert_int_equal(config_parse_ms("100", 0, 60000, &v), 0);
	assert_int_equal(config_parse_ms("2m", 0, 60000, &v), -EINVAL);
	assert_int_equal(config_parse_ms("61s", 0, 60000, &v), -ERANGE);
	assert_int_equal(config_parse_u64("7", 1, 9, &v), 0);
	assert_int_equal(config_parse_u64("7 ", 1, 9, &v), -EINVAL);
	assert_int_equal(config_parse_bool("Yes", &b), 0);
	assert_true(b);
	assert_int_equal(config_parse_bool("off", &b), 0);
	assert_false(b);
	assert_int_equal(config_parse_bool("maybe", &b), -EINVAL);
}

static void
test_mtime(void **state)
{
	uint64_t a = mtime_ms(), b = mtime_ms();
	struct timespec ts = mtime_ms_to_ts(1500);

	(void)state;
	assert_true(b >= a);
	assert_true(mtime_us() >= a * 1000);
	assert_int_equal(ts.tv_sec, 1);
	assert_int_equal(ts.tv_nsec, 500000000);
	assert_int_equal(mtime_since_ms(10, 20), 0);
	assert_int_equal(mtime_since_ms(20, 10), 10);
}

/* Every keys.def field and paths.def path is documented in SCHEMA.md. */
static void
test_schema_documented(void **state)
{
	static const char *const paths[] = {
#define CG_PATH(id, path, writer) path,
#include "paths.def"
#undef CG_PATH
	};
	char *doc, needle[64];
	FILE *f = fopen("xenstore-schema/SCHEMA.md", "r");
	long len;
	size_t i;

	(void)state;
	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	len = ftell(f);
	rewind(f);
	doc = calloc(1, (size_t)len + 1);
	assert_int_equal(fread(doc, 1, (size_t)len, f), (size_t)len);
	fclose(f);
	for (i = 0; i < CG_F_COUNT; i++) {
		snprintf(needle, sizeof(needle), "| `%s` |", cg_fields[i].name);
		if (strstr(doc, needle) == NULL)
			fail_msg("SCHEMA.md lacks a row for field %s",
			    cg_fields[i].name);
	}
	for (i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		snprintf(needle, sizeof(needle), "~/%s", paths[i]);
		if (strstr(doc, needle) == NULL)
			fail_msg("SCHEMA.md lacks path %s", paths[i]);
	}
	free(doc);
}

static void
test_schema_table(void **state)
{
	int i, j;

	(void)state;
	assert_int_equal(CG_F_V, 0);
	for (i = 0; i < CG_F_COUNT; i++) {
		assert_true(cg_fields[i].min <= cg_fields[i].max);
		assert_int_equal(cg_fields[i].name_len,
		    strlen(cg_fields[i].name));
		for (j = 0; j < i; j++)
			assert_string_not_equal(cg_fields[i].name,
			    cg_fields[j].name);
	}
	assert_true(cg_mandatory_mask & CG_BIT(CG_F_URGENT));
	assert_false(cg_mandatory_mask & CG_BIT(CG_F_CACHED));
	assert_string_equal(CG_PATH_STATS, "data/cagma/stats");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ratelimit_burst_then_interval),
		cmocka_unit_test(test_escape),
		cmocka_unit_test(test_log_preserves_errno),
		cmocka_unit_test(test_journal_match),
		cmocka_unit_test(test_log_journal_prefix),
		cmocka_unit_test(test_config_ok),
		cmocka_unit_test(test_config_error_line),
		cmocka_unit_test(test_config_missing_file),
		cmocka_unit_test(test_config_file),
		cmocka_unit_test(test_config_values),
		cmocka_unit_test(test_mtime),
		cmocka_unit_test(test_schema_documented),
		cmocka_unit_test(test_schema_table),
	};

	return cmocka_run_group_tests_name("common", tests, NULL, NULL);
}
