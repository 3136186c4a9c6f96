/*
 * config.h - ini configuration loading (Debian's libinih) and value parsers.
 *
 * Each program defines its own keys in a handler; this module gives exact
 * "FILE:LINE: message" errors and strict parsers for sizes, times, booleans.
 */
#ifndef CAGMA_CONFIG_H
#define CAGMA_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CONFIG_ERR_MAX	256

/*
 * Called once per "key = value" line.  section is "" before any [section].
 * Return 0 to accept, or -EINVAL after writing a message (without file or
 * line) into err (errlen bytes).
 */
typedef int (*config_handler)(void *user, const char *section,
    const char *key, const char *value, char *err, size_t errlen);

/*
 * Parse an ini file.  Stops at the first error.  Returns 0, -ENOENT if the
 * file does not exist, -errno on other I/O errors, -EINVAL on a syntax or
 * handler error; err always receives a "path:line: message" or
 * "path: strerror" text on failure.
 */
int config_parse_file(const char *path, config_handler fn, void *user,
    char *err, size_t errlen);

/* Same, from a NUL-terminated string; name is used in messages. */
int config_parse_string(const char *name, const char *text, config_handler fn,
    void *user, char *err, size_t errlen);

/*
 * Size with an optional binary suffix: "4096" (KiB), "512K", "256M", "2G".
 * Result in KiB, bounded by [min_kb, max_kb].  0 or -EINVAL / -ERANGE.
 */
int config_parse_size_kb(const char *s, uint64_t min_kb, uint64_t max_kb,
    uint64_t *out);

/* Duration: "100" (ms), "100ms", "5s".  Result in ms, bounded. */
int config_parse_ms(const char *s, uint64_t min_ms, uint64_t max_ms,
    uint64_t *out);

/* Plain unsigned integer, bounded. */
int config_parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out);

/* "yes/no", "true/false", "on/off", "1/0". */
int config_parse_bool(const char *s, bool *out);

#endif
