/*
 * control.h - cagmad's control socket (unix stream, mode 0600, root only).
 *
 * Protocol: the client sends one line ("status", "status-json", "reload",
 * "reserve SIZE_KB TIMEOUT_MS", "resv ID", "release ID"; cagmad.8,
 * CONTROL SOCKET) and reads the reply until the daemon closes the
 * connection.  Clients are
 * non-blocking and served from the main poll loop, so a slow client never
 * delays an emergency.
 */
#ifndef CAGMA_DOM0_CONTROL_H
#define CAGMA_DOM0_CONTROL_H

#include <poll.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#define CONTROL_SOCK_DEFAULT	"/run/cagma/cagmad.sock"
#define CONTROL_CLIENTS_MAX	8
#define CONTROL_LINE_MAX	64

struct cagmad;

struct control_client {
	int fd;			/* -1 = free */
	char in[CONTROL_LINE_MAX];
	size_t in_len;
	char *out;		/* reply being sent, or NULL */
	size_t out_len;
	size_t out_off;
	unsigned long long start_ms;
};

struct control {
	int lfd;
	const char *path;
	struct control_client cl[CONTROL_CLIENTS_MAX];
};

/* Create the socket (and its directory, 0755); 0 or -errno (logged). */
int control_open(struct control *ctl, const char *path);

/* Close everything and unlink the socket.  Cannot fail. */
void control_close(struct control *ctl);

/* Fill pollfds (at most 1 + CONTROL_CLIENTS_MAX); returns how many. */
size_t control_pollfds(const struct control *ctl, struct pollfd *pfd);

/*
 * Serve what poll() reported in pfd[0..n).  A "reload" request calls
 * daemon_reload().  Cannot fail (client errors just close the client).
 */
void control_serve(struct control *ctl, const struct pollfd *pfd, size_t n,
    struct cagmad *c, unsigned long long now_ms);

/* Render the status table (json = false) or JSON document into fp. */
void control_status(const struct cagmad *c, bool json, FILE *fp);

#endif
