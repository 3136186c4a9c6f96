/*
 * sockfix.c - unix socket fixtures for the agent-channel tests; see
 * sockfix.h.  Linked into the tests that use it (Makefile: UNIT_HELP_SRC).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include <cmocka.h>

#include "sockfix.h"

/* See sockfix.h. */
void
sockfix_write_all(int fd, const char *buf, size_t len)
{
	ssize_t n;

	while (len > 0) {
		n = write(fd, buf, len);
		assert_true(n > 0);
		buf += n;
		len -= (size_t)n;
	}
}

/* See sockfix.h. */
void
sockfix_path(char *path_out, size_t size, const char *tag)
{
	snprintf(path_out, size, "/tmp/cagma-%s-%d.sock", tag, (int)getpid());
	unlink(path_out);
}

/* See sockfix.h. */
int
sockfix_listen(const char *path, int backlog)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int l;

	assert_true(snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path) <
	    (int)sizeof(sa.sun_path));
	l = socket(AF_UNIX, SOCK_STREAM, 0);
	assert_true(l >= 0);
	assert_int_equal(bind(l, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(listen(l, backlog), 0);
	return l;
}
