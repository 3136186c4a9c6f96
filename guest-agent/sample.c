/*
 * sample.c - open /proc files once, pread them on every sample (sample.h).
 *
 * After meminfo-writer.c in QubesOS/qubes-linux-utils: keep the fds, read at
 * offset 0, parse from a fixed buffer; nothing is allocated per sample.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/statfs.h>
#include <unistd.h>

#include "log.h"
#include "num.h"
#include "procfs.h"
#include "sample.h"
#include "schema.h"

#ifndef PROC_SUPER_MAGIC
#define PROC_SUPER_MAGIC	0x9fa0
#endif

/* Log-once bits in sampler.warned. */
enum {
	SAMPLE_W_NOPSI = 1U << 0,
	SAMPLE_W_PSIBAD = 1U << 1,
	SAMPLE_W_NOFULL = 1U << 2,
	SAMPLE_W_NOREFAULT = 1U << 3,
	SAMPLE_W_MEM = 1U << 4,		/* + meminfo id, 6 bits */
	SAMPLE_W_VM = 1U << 12,		/* + vmstat id, 9 bits */
};

/* Optional fields the record needs; absence is logged once. */
#define SAMPLE_MEM_WANTED	(PROCFS_BIT(PROCFS_MEM_CACHED) | \
				 PROCFS_BIT(PROCFS_MEM_SWAP_TOTAL) | \
				 PROCFS_BIT(PROCFS_MEM_SWAP_FREE))
#define SAMPLE_VM_WANTED	(PROCFS_BIT(PROCFS_VM_PSWPIN) | \
				 PROCFS_BIT(PROCFS_VM_PSWPOUT) | \
				 PROCFS_BIT(PROCFS_VM_PGSCAN_KSWAPD) | \
				 PROCFS_BIT(PROCFS_VM_PGMAJFAULT))

static int
sample_openat(const struct sampler *s, const char *rel, int flags)
{
	char path[PATH_MAX + 32];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", s->root, rel);
	fd = open(path, flags | O_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

/* Write one trigger; true if the kernel accepted it. */
static bool
sample_arm(int fd, uint32_t stall_us, uint32_t window_us, char *trig,
    size_t size)
{
	int n = snprintf(trig, size, "some %u %u", stall_us, window_us);

	/* The kernel wants the trailing NUL (Documentation/.../psi.rst). */
	return write(fd, trig, (size_t)n + 1) == n + 1;
}

/*
 * Arm "some <stall> <window>" on a real procfs; else open read-only.
 * Without CAP_SYS_RESOURCE, Linux >= 6.5 only accepts windows that are
 * multiples of 2 s: retry once with the window rounded up.
 */
static int
sample_open_psi(struct sampler *s, const struct sample_psi_cfg *cfg)
{
	char path[PATH_MAX + 32], trig[64];
	uint32_t win2 = (cfg->window_us + 1999999) / 2000000 * 2000000;
	struct statfs sfs;
	int fd;

	snprintf(path, sizeof(path), "%s/pressure/memory", s->root);
	if (!cfg->enable || statfs(path, &sfs) != 0 ||
	    sfs.f_type != PROC_SUPER_MAGIC)
		return sample_openat(s, "pressure/memory", O_RDONLY);
	fd = open(path, O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		if (errno != ENOENT)
			log_warn("%s: cannot open for a PSI trigger", path);
		return sample_openat(s, "pressure/memory", O_RDONLY);
	}
	if (sample_arm(fd, cfg->stall_us, cfg->window_us, trig,
	    sizeof(trig)) || (errno == EINVAL && win2 != cfg->window_us &&
	    sample_arm(fd, cfg->stall_us, win2, trig, sizeof(trig)))) {
		s->psi_trigger = true;
		log_info("PSI trigger armed: %s", trig);
		return fd;
	}
	log_warn("cannot arm PSI trigger \"%s\"; sampling only", trig);
	close(fd);
	return sample_openat(s, "pressure/memory", O_RDONLY);
}

/* One small number file under root (sysctls); -errno if unreadable. */
static int
sample_read_u64(const struct sampler *s, const char *rel, uint64_t max,
    uint64_t *out)
{
	char buf[32];
	ssize_t n;
	int fd, rc;

	fd = sample_openat(s, rel, O_RDONLY);
	if (fd < 0)
		return fd;
	n = pread(fd, buf, sizeof(buf) - 1, 0);
	rc = n < 0 ? -errno : 0;
	close(fd);
	if (rc != 0)
		return rc;
	while (n > 0 && buf[n - 1] == '\n')
		n--;
	return num_parse_u64(buf, (size_t)n, 0, max, out);
}

/*
 * The watermark sysctls, read once: Linux recomputes them only when
 * memory is hot-added or an admin writes them.  Optional (fixtures and
 * old kernels): without min_free_kbytes the record has no wmark_low.
 */
static void
sample_read_sysctls(struct sampler *s)
{
	s->min_free_kb = 0;
	s->wmark_scale = 10;	/* the kernel's default */
	if (sample_read_u64(s, "sys/vm/min_free_kbytes", CG_MAX_KB,
	    &s->min_free_kb) != 0)
		s->min_free_kb = 0;
	if (sample_read_u64(s, "sys/vm/watermark_scale_factor", 10000,
	    &s->wmark_scale) != 0)
		s->wmark_scale = 10;
}

uint64_t
sample_wmark_low_kb(uint64_t min_free_kb, uint64_t scale,
    uint64_t mem_total_kb)
{
	uint64_t step = mem_total_kb / 10000 * scale;

	if (min_free_kb == 0)
		return 0;
	return min_free_kb + (step > min_free_kb / 4 ? step : min_free_kb / 4);
}

int
sample_open(struct sampler *s, const char *root,
    const struct sample_psi_cfg *psi)
{
	int rc;

	s->meminfo_fd = s->vmstat_fd = s->psi_fd = -1;
	s->psi_trigger = false;
	s->warned = 0;
	if (snprintf(s->root, sizeof(s->root), "%s", root) >=
	    (int)sizeof(s->root))
		return -ENAMETOOLONG;
	rc = sample_openat(s, "meminfo", O_RDONLY);
	if (rc < 0) {
		errno = -rc;
		log_warn("%s/meminfo", root);
		goto out;
	}
	s->meminfo_fd = rc;
	rc = sample_openat(s, "vmstat", O_RDONLY);
	if (rc < 0) {
		errno = -rc;
		log_warn("%s/vmstat", root);
		goto out;
	}
	s->vmstat_fd = rc;
	rc = sample_open_psi(s, psi);
	if (rc < 0) {
		if (rc != -ENOENT) {
			errno = -rc;
			log_warn("%s/pressure/memory; no PSI", root);
		}
		s->warned |= SAMPLE_W_NOPSI;
		log_info("kernel has no memory PSI (%s/pressure/memory); "
		    "reporting has_psi=0", root);
	} else {
		s->psi_fd = rc;
	}
	sample_read_sysctls(s);
	rc = 0;
out:
	if (rc != 0)
		sample_close(s);
	return rc;
}

/* pread the whole file into buf; -EFBIG if it may not have fit. */
static ssize_t
sample_pread(int fd, char *buf, size_t size)
{
	ssize_t n;

	do {
		n = pread(fd, buf, size, 0);
	} while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	if ((size_t)n == size)
		return -EFBIG;
	return n;
}

static void
sample_warn_once(struct sampler *s, uint32_t bit, const char *what)
{
	if (s->warned & bit)
		return;
	s->warned |= bit;
	log_info("kernel does not report %s; reporting 0", what);
}

static void
sample_drop_psi(struct sampler *s)
{
	if (s->psi_fd >= 0)
		close(s->psi_fd);
	s->psi_fd = -1;
	s->psi_trigger = false;
}

/* PSI: absent or unreadable means has_psi = false, logged once. */
static void
sample_read_psi(struct sampler *s, struct sample *out)
{
	ssize_t n;

	out->has_psi = false;
	if (s->psi_fd < 0)
		return;
	n = sample_pread(s->psi_fd, s->psi_buf, sizeof(s->psi_buf));
	if (n == -EOPNOTSUPP) {
		/* CONFIG_PSI=y but booted with psi=0 */
		log_info("memory PSI disabled in this kernel (psi=0?); "
		    "reporting has_psi=0");
		s->warned |= SAMPLE_W_NOPSI;
		sample_drop_psi(s);
		return;
	}
	if (n < 0 || procfs_parse_psi(s->psi_buf, (size_t)n, &out->psi)) {
		log_warnx("%s/pressure/memory: unreadable or unexpected "
		    "format; ignoring PSI from now on", s->root);
		s->warned |= SAMPLE_W_PSIBAD;
		sample_drop_psi(s);
		return;
	}
	out->has_psi = true;
	if (!out->psi.has_full)
		sample_warn_once(s, SAMPLE_W_NOFULL, "PSI \"full\"");
}

static void
sample_check_fields(struct sampler *s, const struct sample *smp, bool refault)
{
	uint32_t miss;
	int i;

	miss = SAMPLE_MEM_WANTED & ~smp->mem.present;
	for (i = 0; miss != 0 && i < PROCFS_MEM_COUNT; i++)
		if (miss & PROCFS_BIT(i))
			sample_warn_once(s, SAMPLE_W_MEM << i,
			    procfs_meminfo_name(i));
	miss = SAMPLE_VM_WANTED & ~smp->vm.present;
	for (i = 0; miss != 0 && i < PROCFS_VM_COUNT; i++)
		if (miss & PROCFS_BIT(i))
			sample_warn_once(s, SAMPLE_W_VM << i,
			    procfs_vmstat_name(i));
	if (!refault)
		sample_warn_once(s, SAMPLE_W_NOREFAULT,
		    "workingset_refault[_anon,_file]");
}

int
sample_read(struct sampler *s, struct sample *out)
{
	struct sample smp;
	ssize_t n;
	int rc;

	n = sample_pread(s->meminfo_fd, s->meminfo_buf,
	    sizeof(s->meminfo_buf));
	if (n < 0)
		return (int)n;
	rc = procfs_parse_meminfo(s->meminfo_buf, (size_t)n, &smp.mem);
	if (rc != 0)
		return rc;
	n = sample_pread(s->vmstat_fd, s->vmstat_buf, sizeof(s->vmstat_buf));
	if (n < 0)
		return (int)n;
	rc = procfs_parse_vmstat(s->vmstat_buf, (size_t)n, &smp.vm);
	if (rc != 0)
		return rc;
	smp.has_allocstall = procfs_vmstat_allocstall(&smp.vm,
	    &smp.allocstall) == 0;
	if (!smp.has_allocstall)
		smp.allocstall = 0;
	smp.wmark_low_kb = sample_wmark_low_kb(s->min_free_kb, s->wmark_scale,
	    smp.mem.kb[PROCFS_MEM_TOTAL]);
	rc = procfs_vmstat_refault(&smp.vm, &smp.refault);
	if (rc != 0)
		smp.refault = 0;
	sample_read_psi(s, &smp);
	sample_check_fields(s, &smp, rc == 0);
	*out = smp;
	return 0;
}

void
sample_trigger_lost(struct sampler *s)
{
	if (!s->psi_trigger)
		return;
	log_warnx("PSI trigger reported an error; sampling only");
	s->psi_trigger = false;
}

void
sample_close(struct sampler *s)
{
	if (s->meminfo_fd >= 0)
		close(s->meminfo_fd);
	if (s->vmstat_fd >= 0)
		close(s->vmstat_fd);
	if (s->psi_fd >= 0)
		close(s->psi_fd);
	s->meminfo_fd = s->vmstat_fd = s->psi_fd = -1;
	s->psi_trigger = false;
}
