/*
 * sockfix.h - unix socket fixtures the agent-channel tests share
 * (test_chan.c, test_chanset.c): the guest's side of a channel is a
 * socket the test writes to, QEMU's chardev a listening socket in /tmp.
 * Every helper fails the running cmocka test on error.
 */
#ifndef CAGMA_TESTS_SOCKFIX_H
#define CAGMA_TESTS_SOCKFIX_H

#include <stddef.h>

/* Write all len bytes of buf to fd (blocking), as a guest would. */
void sockfix_write_all(int fd, const char *buf, size_t len);

/*
 * A socket path of this test process, "/tmp/cagma-TAG-PID.sock", into
 * path_out (size bytes); a stale file there is removed.
 */
void sockfix_path(char *path_out, size_t size, const char *tag);

/* A unix stream socket listening at path (as QEMU's): its fd. */
int sockfix_listen(const char *path, int backlog);

#endif
