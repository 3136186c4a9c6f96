/*
 * fgring.h - guest side of one domain's xenstore ring, for the fake-Xen
 * harness (tests/integration/).
 *
 * The fake guest creates $FAKEXEN_DIR/ring-<N> (the page xenstored "maps"
 * through the fakexen shim), binds guest-<N>.evt (wake-ups from xenstored)
 * and listens on guest-<N>.sock.  Unmodified libxenstore programs connect
 * to that socket (XENSTORED_PATH=.../guest-<N>.sock) and are multiplexed
 * onto the one ring the way Linux's xenbus device does it, so xenstored
 * applies domain N's permissions and quotas to them.
 */
#ifndef CAGMA_FGRING_H
#define CAGMA_FGRING_H

#include <stddef.h>
#include <stdint.h>
#include <sys/un.h>

#include <xen/io/xs_wire.h>

#define FG_HDR_LEN	sizeof(struct xsd_sockmsg)
#define FG_MSG_MAX	(FG_HDR_LEN + XENSTORE_PAYLOAD_MAX)
#define FG_QUEUE_LEN	(64 * 1024)	/* bytes waiting for the req ring */
#define FG_MAX_OUT	4096		/* requests awaiting a reply */
#define FG_MAX_CLIENTS	32
#define FG_MAX_WATCHES	128		/* per client */
#define FG_MAX_TX	16		/* per client */

struct fg_client {
	int fd;				/* -1: free slot */
	unsigned int gen;		/* tells a reused slot apart */
	size_t in_len;
	char in[FG_MSG_MAX];
	int n_watches;
	char *watch_path[FG_MAX_WATCHES];
	char *watch_token[FG_MAX_WATCHES];
	int n_tx;
	uint32_t tx[FG_MAX_TX];
};

struct fg_owner {
	int slot;			/* -1: internal request */
	unsigned int gen;
	uint32_t type;
};

struct fg_ring {
	uint32_t domid;
	struct xenstore_domain_interface *intf;
	int evt_fd;
	int listen_fd;
	struct sockaddr_un kick_addr;	/* the shim's evtchn.sock */
	char sock_path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	unsigned int next_gen;
	size_t req_len;
	size_t rsp_len;
	unsigned int own_head, own_tail;
	struct fg_owner own[FG_MAX_OUT];
	struct fg_client cli[FG_MAX_CLIENTS];
	char req[FG_QUEUE_LEN];
	char rsp[FG_MSG_MAX];
};

/*
 * Create domain domid's ring page, event socket and client socket in dir
 * (the harness directory; paths must fit a sockaddr_un).  The ring file is
 * reused, never truncated, if it exists (xenstored may still map it).
 * fg is large (~200 KiB): allocate it statically or on the heap.
 * Returns 0 or -errno.
 */
int fg_open(struct fg_ring *fg, const char *dir, uint32_t domid);

/*
 * Forget the old connection (xenstored restarted): close every client so
 * their libxenstore calls fail instead of hanging, drop queued bytes and
 * zero the ring indexes.  Call before introducing the domain again.
 */
void fg_reset(struct fg_ring *fg);

/*
 * Serve clients and the ring until extra_fd (may be -1) is readable or
 * timeout_ms (-1: none) passes.  Returns 1 if extra_fd is readable, 0 on
 * timeout, -errno on a fatal error (bad ring index, poll failure).
 */
int fg_serve(struct fg_ring *fg, int extra_fd, int timeout_ms);

#endif
