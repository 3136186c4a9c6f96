/*
 * backend_libvirt_dom.c - the libvirt backend's domains (cagmad-libvirt):
 * listing (virConnectListAllDomains), each domain's slot and facts, the
 * balloon current, targets (virDomainSetMemory), the host's free memory,
 * and the balloon statistics polled at [libvirt] stats_period
 * (virDomainMemoryStats) into the intake.  The connection, the event
 * thread and the side hooks are in backend_libvirt.c; the state both use
 * in backend_libvirt_int.h.
 *
 * Domain ids: libvirt's id while below DOM_ID_MAX and free, else the
 * lowest free one; kept by UUID across reconnects.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>

#include "backend_libvirt_int.h"
#include "lvrec.h"
#include "mtime.h"

_Static_assert((int)LVREC_SWAP_IN == (int)VIR_DOMAIN_MEMORY_STAT_SWAP_IN &&
    (int)LVREC_AVAILABLE == (int)VIR_DOMAIN_MEMORY_STAT_AVAILABLE &&
    (int)LVREC_ACTUAL == (int)VIR_DOMAIN_MEMORY_STAT_ACTUAL_BALLOON &&
    (int)LVREC_RSS == (int)VIR_DOMAIN_MEMORY_STAT_RSS &&
    (int)LVREC_USABLE == (int)VIR_DOMAIN_MEMORY_STAT_USABLE &&
    (int)LVREC_LAST_UPDATE == (int)VIR_DOMAIN_MEMORY_STAT_LAST_UPDATE &&
    (int)LVREC_DISK_CACHES == (int)VIR_DOMAIN_MEMORY_STAT_DISK_CACHES,
    "lvrec tags follow libvirt's numbering");

/* Whether the last error says the domain is gone or not running. */
static bool
lv_err_gone(void)
{
	virErrorPtr e = virGetLastError();

	return e != NULL && (e->code == VIR_ERR_NO_DOMAIN ||
	    e->code == VIR_ERR_OPERATION_INVALID);
}

/* See backend_libvirt_int.h. */
struct lv_dom *
lv_by_id(struct lv *l, unsigned int id)
{
	size_t i;

	for (i = 1; i < DOM_ID_MAX; i++)
		if (l->by_slot[i] != NULL && l->by_slot[i]->dom != NULL &&
		    l->by_slot[i]->id == id)
			return l->by_slot[i];
	return NULL;
}

/* See backend_libvirt_int.h. */
struct lv_dom *
lv_slot(struct backend *be, uint32_t slot)
{
	struct lv *l = be->priv;

	return slot < DOM_ID_MAX && l->by_slot[slot] != NULL &&
	    l->by_slot[slot]->dom != NULL ? l->by_slot[slot] : NULL;
}

/* The period cagmad polls at, set on every domain (live). */
static void
lv_set_period(struct backend *be, struct lv_dom *ld)
{
	uint32_t p = be->cfg->libvirt.stats_period_s;

	if (ld->period_s == p)
		return;
	if (virDomainSetMemoryStatsPeriod(ld->dom, (int)p,
	    VIR_DOMAIN_AFFECT_LIVE) != 0) {
		lv_warn(be->priv, "virDomainSetMemoryStatsPeriod", ld->pub.slot);
		return;
	}
	ld->period_s = p;
}

/* A new domain's slot, facts and stats period.  NULL: skipped. */
static struct lv_dom *
lv_new(struct backend *be, virDomainPtr dom, const unsigned char *uuid)
{
	struct lv *l = be->priv;
	struct lv_dom *ld;
	char path[sizeof(((struct chan *)0)->path)];
	const char *name;
	char *xml;
	unsigned int id = virDomainGetID(dom);
	uint32_t slot = 0, i;

	if (id > 0 && id < DOM_ID_MAX && l->by_slot[id] == NULL)
		slot = id;
	for (i = 1; slot == 0 && i < DOM_ID_MAX; i++)
		if (l->by_slot[i] == NULL)
			slot = i;
	ld = slot != 0 ? calloc(1, sizeof(*ld)) : NULL;
	if (ld == NULL)
		return NULL;
	memcpy(ld->uuid, uuid, VIR_UUID_BUFLEN);
	ld->pub.slot = slot;
	name = virDomainGetName(dom);
	if (name != NULL)
		log_escape(ld->name, sizeof(ld->name), name, strlen(name));
	ld->pub.c = be->c;
	xml = virDomainGetXMLDesc(dom, 0);
	if (xml != NULL) {
		ld->pub.autodeflate = lvrec_xml_autodeflate(xml);
		if (lvrec_xml_channel(xml, path, sizeof(path)) == 0 &&
		    lvside_chan_add(&l->side, &ld->pub, path, mtime_ms()) == 0)
			log_info("domid %u: agent channel %s", slot, path);
		free(xml);
	}
	l->by_slot[slot] = ld;
	return ld;
}

/* Find (by UUID) or add one listed domain; takes the reference. */
static struct lv_dom *
lv_listed(struct backend *be, virDomainPtr dom)
{
	struct lv *l = be->priv;
	unsigned char uuid[VIR_UUID_BUFLEN];
	struct lv_dom *ld = NULL;
	unsigned long max_kb;
	size_t i;

	if (virDomainGetUUID(dom, uuid) != 0)
		return NULL;
	for (i = 1; i < DOM_ID_MAX && ld == NULL; i++)
		if (l->by_slot[i] != NULL &&
		    memcmp(l->by_slot[i]->uuid, uuid, VIR_UUID_BUFLEN) == 0)
			ld = l->by_slot[i];
	if (ld == NULL)
		ld = lv_new(be, dom, uuid);
	if (ld == NULL)
		return NULL;
	/* a new id: the domain restarted (QEMU forgot the stats period) */
	if (ld->dom == NULL || ld->id != virDomainGetID(dom))
		ld->period_s = 0;
	if (ld->dom != NULL)
		virDomainFree(ld->dom);
	ld->dom = dom;
	ld->id = virDomainGetID(dom);
	max_kb = virDomainGetMaxMemory(dom);
	if (max_kb != 0)
		ld->pub.max_kb = max_kb;
	else if (ld->pub.max_kb == 0)
		ld->pub.max_kb = ld->pub.actual_kb;	/* unknown: never grow */
	lv_set_period(be, ld);
	return ld;
}

/* See backend_libvirt_int.h. */
void
lv_forget(struct lv *l, struct lv_dom *ld)
{
	if (ld->dom != NULL)
		virDomainFree(ld->dom);
	lvside_chan_del(&l->side, &ld->pub);
	l->by_slot[ld->pub.slot] = NULL;
	free(ld);
}

/* See backend_libvirt_int.h. */
int
lv_list(struct backend *be, struct be_dom *out, size_t max, size_t *n_out)
{
	struct lv *l = be->priv;
	virDomainPtr *doms = NULL;
	virDomainInfo info;
	struct lv_dom *ld;
	size_t i, k = 0;
	int n;

	n = virConnectListAllDomains(l->conn, &doms,
	    VIR_CONNECT_LIST_DOMAINS_ACTIVE);
	if (n < 0) {
		lv_warn(l, "virConnectListAllDomains", 0);
		return -EIO;
	}
	for (i = 1; i < DOM_ID_MAX; i++)
		if (l->by_slot[i] != NULL)
			l->by_slot[i]->seen = false;
	for (i = 0; i < (size_t)n; i++) {
		ld = lv_listed(be, doms[i]);
		if (ld == NULL) {
			virDomainFree(doms[i]);
			continue;
		}
		ld->seen = true;
		if (virDomainGetInfo(ld->dom, &info) != 0)
			continue;	/* going away: the next listing tells */
		ld->pub.actual_kb = info.memory;
		if (k < max) {
			out[k].domid = ld->pub.slot;
			out[k].current_kb = ld->pub.actual_kb;
			out[k].dying = info.state == VIR_DOMAIN_SHUTDOWN ||
			    info.state == VIR_DOMAIN_SHUTOFF ||
			    info.state == VIR_DOMAIN_CRASHED;
			k++;
		}
	}
	free(doms);
	for (i = 1; i < DOM_ID_MAX; i++)
		if (l->by_slot[i] != NULL && !l->by_slot[i]->seen)
			lv_forget(l, l->by_slot[i]);
	*n_out = k;
	return 0;
}

/* See backend_libvirt_int.h. */
int
lv_current(struct backend *be, uint32_t domid, uint64_t *current_kb_out)
{
	struct lv_dom *ld = lv_slot(be, domid);

	if (ld == NULL)
		return -ENOENT;
	*current_kb_out = ld->pub.actual_kb;
	return 0;
}

/* See backend_libvirt_int.h. */
int
lv_set_target(struct backend *be, uint32_t domid, uint64_t target_kb)
{
	struct lv *l = be->priv;
	struct lv_dom *ld = lv_slot(be, domid);
	uint64_t t0 = mtime_us();
	int rc;

	if (ld == NULL)
		return -ENOENT;
	rc = virDomainSetMemory(ld->dom, (unsigned long)target_kb);
	l->setmem_calls++;
	l->setmem_us += mtime_us() - t0;
	if (rc == 0)
		return 0;
	if (lv_err_gone())
		return -ENOENT;
	lv_warn(l, "virDomainSetMemory", domid);
	return -EIO;
}

/*
 * The host kernel's MemAvailable, less the memory guests were given but
 * have not touched yet: a grown balloon (actual) is backed by host pages
 * only as the guest uses them (QEMU's RSS), and the planner must not hand
 * the difference out twice.  With [libvirt] host_memory, at most that
 * less the guests' balloons (a host shared with other work).
 * backend_ops.free_memory (backend.h).
 */
int
lv_free_memory(struct backend *be, uint64_t *free_kb_out)
{
	struct lv *l = be->priv;
	uint64_t owed = 0, held = 0, cap;
	size_t i;
	int rc;

	for (i = 1; i < DOM_ID_MAX; i++) {
		if (l->by_slot[i] == NULL || l->by_slot[i]->dom == NULL)
			continue;
		held += l->by_slot[i]->pub.actual_kb;
		if (l->by_slot[i]->pub.actual_kb > l->by_slot[i]->pub.rss_kb)
			owed += l->by_slot[i]->pub.actual_kb -
			    l->by_slot[i]->pub.rss_kb;
	}
	rc = lvside_free_kb(owed, free_kb_out);
	if (rc != 0)
		return rc;
	cap = be->cfg->libvirt.host_memory_kb;
	cap = cap == 0 ? UINT64_MAX : cap > held ? cap - held : 0;
	if (*free_kb_out > cap)
		*free_kb_out = cap;
	return 0;
}

/* One stats sample of ld.  0, -ENODATA (nothing new) or -errno. */
static int
lv_sample(struct lv *l, struct lv_dom *ld, struct lvrec_stats *st)
{
	virDomainMemoryStatStruct raw[VIR_DOMAIN_MEMORY_STAT_NR];
	uint64_t t0 = mtime_us();
	int i, n;

	n = virDomainMemoryStats(ld->dom, raw, VIR_DOMAIN_MEMORY_STAT_NR, 0);
	l->stats_calls++;
	l->stats_us += mtime_us() - t0;
	if (n < 0)
		return lv_err_gone() ? -ENOENT : -EIO;
	memset(st, 0, sizeof(*st));
	for (i = 0; i < n && i < VIR_DOMAIN_MEMORY_STAT_NR; i++) {
		if (raw[i].tag < 0 || raw[i].tag >= LVREC_TAG_COUNT)
			continue;
		st->val[raw[i].tag] = raw[i].val;
		st->present |= 1U << raw[i].tag;
	}
	/* host facts (QEMU): the balloon size and QEMU's RSS */
	if (st->present & (1U << LVREC_ACTUAL))
		ld->pub.actual_kb = st->val[LVREC_ACTUAL];
	if (st->present & (1U << LVREC_RSS))
		ld->pub.rss_kb = st->val[LVREC_RSS];
	if ((st->present & (1U << LVREC_LAST_UPDATE)) != 0 &&
	    st->val[LVREC_LAST_UPDATE] == ld->last_update)
		return -ENODATA;	/* the guest has not refreshed them */
	ld->last_update = st->val[LVREC_LAST_UPDATE];
	return 0;
}

/* See backend_libvirt_int.h. */
void
lv_poll_one(struct cagmad *c, struct dom *d, uint64_t now_ms)
{
	struct lv *l = c->be.priv;
	struct lv_dom *ld = lv_slot(&c->be, d->domid);
	struct lvrec_stats st;
	int rc;

	if (ld == NULL)
		return;
	lv_set_period(&c->be, ld);
	rc = lv_sample(l, ld, &st);
	if (rc == -ENOENT)
		c->rescan = true;
	if (rc == 0)
		lvside_take_stats(c, &ld->pub, &st, now_ms);
}
