/*
 * cagma-xenfree - the lab's dom0 probe of the hypervisor's free memory in
 * KiB (`xl info` rounds free_memory down to whole MiB): what a domain
 * costs the host beyond its memory (bench/lab/share/vmstart.sh,
 * dom0/policy/README.md "Reservations").
 *
 * usage: cagma-xenfree [DOMID]
 * Output, one line:
 *   free_kb=F scrub_kb=S outstanding_kb=O total_kb=T [tot_kb=P]
 * from xc_physinfo() (pages of 4 KiB); with DOMID also that domain's
 * tot_pages in KiB.  Exit status 0, 1 on error (no such domain too).
 */
#include <stdio.h>
#include <xenctrl.h>

#include "wl.h"

/* Domain domid's tot_pages; 0 or -1.  Xen 4.17 has no getinfo_single. */
static int
dom_pages(xc_interface *xch, uint32_t domid, uint64_t *pages_out)
{
	xc_domaininfo_t info;

#ifdef HAVE_XC_DOMAIN_GETINFO_SINGLE
	if (xc_domain_getinfo_single(xch, domid, &info) != 0)
		return -1;
#else
	if (xc_domain_getinfolist(xch, domid, 1, &info) != 1 ||
	    info.domain != domid)
		return -1;
#endif
	*pages_out = info.tot_pages;
	return 0;
}

int
main(int argc, char **argv)
{
	xc_interface *xch;
	xc_physinfo_t info = { 0 };
	uint64_t domid = 0, pages = 0;
	int rc;

	if (argc > 2 || (argc == 2 && wl_arg_u64("cagma-xenfree", "DOMID",
	    argv[1], 0, 0x7fef, &domid) != 0)) {
		fprintf(stderr, "usage: cagma-xenfree [DOMID]\n");
		return 1;
	}
	xch = xc_interface_open(NULL, NULL, 0);
	if (xch == NULL) {
		perror("cagma-xenfree: xc_interface_open");
		return 1;
	}
	rc = xc_physinfo(xch, &info);
	if (rc == 0 && argc == 2)
		rc = dom_pages(xch, (uint32_t)domid, &pages);
	xc_interface_close(xch);
	if (rc != 0) {
		perror("cagma-xenfree: xc_physinfo / domain info");
		return 1;
	}
	printf("free_kb=%llu scrub_kb=%llu outstanding_kb=%llu total_kb=%llu",
	    (unsigned long long)info.free_pages * 4,
	    (unsigned long long)info.scrub_pages * 4,
	    (unsigned long long)info.outstanding_pages * 4,
	    (unsigned long long)info.total_pages * 4);
	if (argc == 2)
		printf(" tot_kb=%llu", (unsigned long long)pages * 4);
	printf("\n");
	return 0;
}
