/*
 * chanset.c - the host's agent channels behind one epoll fd (chanset.h).
 */
#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "chanset.h"

int
chanset_init(struct chanset *s)
{
	memset(s, 0, sizeof(*s));
	s->epfd = epoll_create1(EPOLL_CLOEXEC);
	return s->epfd < 0 ? -errno : 0;
}

int
chanset_fd(const struct chanset *s)
{
	return s->epfd;
}

int
chanset_add(struct chanset *s, struct chan_slot *slot, const char *path,
    const struct chan_sink *sink, uint64_t now_ms)
{
	int rc;

	memset(slot, 0, sizeof(*slot));
	rc = chan_init(&slot->ch, path, now_ms);
	if (rc != 0)
		return rc;
	slot->sink = *sink;
	slot->next = s->head;
	if (s->head != NULL)
		s->head->prev = slot;
	s->head = slot;
	s->n++;
	return 0;
}

/* Take the slot's fd out of the epoll set if it is in. */
static void
chanset_disarm(struct chanset *s, struct chan_slot *slot)
{
	/* a closed fd left the set by itself (the channel owns its only
	 * reference); a new fd with the same number is not in it */
	if (slot->armed && slot->armed_gen == slot->ch.fd_gen &&
	    slot->ch.fd >= 0)
		(void)epoll_ctl(s->epfd, EPOLL_CTL_DEL, slot->ch.fd, NULL);
	slot->armed = false;
}

void
chanset_del(struct chanset *s, struct chan_slot *slot)
{
	chanset_disarm(s, slot);
	chan_close(&slot->ch);
	if (slot->prev != NULL)
		slot->prev->next = slot->next;
	else
		s->head = slot->next;
	if (slot->next != NULL)
		slot->next->prev = slot->prev;
	slot->prev = slot->next = NULL;
	s->n--;
}

/* Make the epoll set match what the channel wants now. */
static void
chanset_arm(struct chanset *s, struct chan_slot *slot, uint64_t now_ms)
{
	struct epoll_event ev = { .data.ptr = slot };
	short want = chan_events(&slot->ch, now_ms);
	int fd = chan_fd(&slot->ch), op;

	if (slot->armed && slot->armed_gen != slot->ch.fd_gen)
		slot->armed = false;		/* that fd was closed */
	if (want == 0 || fd < 0) {
		chanset_disarm(s, slot);
		return;
	}
	if (slot->armed && slot->armed_events == want)
		return;
	ev.events = (want & POLLIN ? EPOLLIN : 0U) |
	    (want & POLLOUT ? EPOLLOUT : 0U);
	op = slot->armed ? EPOLL_CTL_MOD : EPOLL_CTL_ADD;
	if (epoll_ctl(s->epfd, op, fd, &ev) != 0) {
		slot->armed = false;	/* served by its timer instead */
		return;
	}
	slot->armed = true;
	slot->armed_events = want;
	slot->armed_gen = slot->ch.fd_gen;
}

uint64_t
chanset_next_ms(const struct chanset *s, uint64_t now_ms)
{
	const struct chan_slot *slot;
	uint64_t next = UINT64_MAX, t;

	for (slot = s->head; slot != NULL; slot = slot->next) {
		t = chan_next_ms(&slot->ch, now_ms);
		if (!slot->armed && chan_events(&slot->ch, now_ms) != 0)
			t = now_ms;		/* wants the fd: arm it now */
		if (t < next)
			next = t;
	}
	return next;
}

static short
chanset_revents(uint32_t e)
{
	return (short)((e & EPOLLIN ? POLLIN : 0) |
	    (e & EPOLLOUT ? POLLOUT : 0) | (e & EPOLLERR ? POLLERR : 0) |
	    (e & EPOLLHUP ? POLLHUP : 0));
}

int
chanset_service(struct chanset *s, uint64_t now_ms)
{
	struct epoll_event evs[CHANSET_BATCH];
	struct chan_slot *slot;
	int n, i, total = 0;

	s->round++;
	n = epoll_wait(s->epfd, evs, CHANSET_BATCH, 0);
	if (n < 0)
		return errno == EINTR ? 0 : -errno;
	for (i = 0; i < n; i++) {
		slot = evs[i].data.ptr;
		total += chan_service(&slot->ch, chanset_revents(evs[i].events),
		    now_ms, &slot->sink);
		slot->served_round = s->round;
	}
	for (slot = s->head; slot != NULL; slot = slot->next) {
		if (slot->served_round != s->round &&
		    chan_next_ms(&slot->ch, now_ms) <= now_ms) {
			total += chan_service(&slot->ch, 0, now_ms,
			    &slot->sink);
			slot->served_round = s->round;
		}
		chanset_arm(s, slot, now_ms);
	}
	return total;
}

void
chanset_fini(struct chanset *s)
{
	while (s->head != NULL)
		chanset_del(s, s->head);
	if (s->epfd >= 0)
		close(s->epfd);
	s->epfd = -1;
}
