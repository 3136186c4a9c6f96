/*
 * planbench - planner cost for N domains, measured under callgrind:
 *   valgrind --tool=callgrind --toggle-collect=policy_decide \
 *       planbench [N] [ROUNDS] [POLICY]
 * Only policy_decide() is counted; divide the total by ROUNDS.  The
 * domains get records and states that exercise every planner path
 * (donors, emergencies, grows, stale, stuck).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "policy.h"

#define MIB 1024ULL

static void
fill(struct policy_vm *vm, uint32_t i, uint64_t t_ms)
{
	struct cg_record *r = &vm->rec;
	uint64_t total = vm->current_kb, used = (200 + (i * 37) % 900) * MIB;

	if (vm->has_rec) {
		vm->prev = vm->rec;
		vm->prev_ms = vm->rec_ms;
		vm->has_prev = true;
	}
	memset(r, 0, sizeof(*r));
	if (used > total)
		used = total;
	record_set(r, CG_F_V, 1);
	record_set(r, CG_F_MEM_TOTAL, total);
	record_set(r, CG_F_MEM_AVAIL, total - used);
	record_set(r, CG_F_MEM_FREE, (total - used) / 2);
	record_set(r, CG_F_SWAP_TOTAL, 1024 * MIB);
	record_set(r, CG_F_SWAP_FREE, 1024 * MIB - (i % 5 == 0 ? 64 * MIB : 0));
	record_set(r, CG_F_PSWPIN, i % 7 == 0 ? t_ms : 0);
	record_set(r, CG_F_REFAULT, 0);
	record_set(r, CG_F_PSI_SOME_US, 0);
	record_set(r, CG_F_URGENT, i % 50 == 0);
	vm->has_rec = true;
	vm->rec_ms = t_ms;
}

int
main(int argc, char **argv)
{
	uint64_t n64 = 1000, rounds64 = 10;
	const struct policy_ops *ops = policy_find(argc > 3 ? argv[3] : "cagma");
	struct policy_vm *vms;
	struct vm_target *out;
	struct policy_cfg cfg;
	struct policy_host host;
	size_t n, n_out = 0, changes = 0, k, i;
	unsigned rounds, r;

	if ((argc > 1 && config_parse_u64(argv[1], 1, 100000, &n64) != 0) ||
	    (argc > 2 && config_parse_u64(argv[2], 1, 100000, &rounds64) != 0)) {
		fprintf(stderr, "usage: cagma-planbench [DOMAINS [ROUNDS "
		    "[POLICY]]]\n");
		return 2;
	}
	n = (size_t)n64;
	rounds = (unsigned)rounds64;
	vms = calloc(n, sizeof(*vms));
	out = calloc(n, sizeof(*out));
	if (vms == NULL || out == NULL || ops == NULL)
		return 2;
	policy_cfg_default(&cfg);
	for (i = 0; i < n; i++) {
		vms[i].domid = (uint32_t)i + 1;
		vms[i].current_kb = vms[i].target_kb = (512 + i % 4 * 256) * MIB;
		vms[i].max_kb = 4096 * MIB;
		vms[i].weight = 100;
		vms[i].enabled = true;
		vms[i].state = i % 97 == 0 ? VM_STALE : i % 89 == 0 ?
		    VM_STUCK : VM_OK;
	}
	host.reserve_kb = 1024 * MIB;
	host.resv_kb = 0;
	for (r = 0; r < rounds; r++) {
		host.now_ms = 1000 * (r + 1);
		host.free_kb = (uint64_t)n * 128 * MIB;
		for (i = 0; i < n; i++) {
			fill(&vms[i], (uint32_t)(i + r), host.now_ms);
			policy_observe(ops, &cfg, &vms[i], host.now_ms);
		}
		if (policy_decide(ops, &cfg, &host, vms, n, out, &n_out) != 0)
			return 1;
		for (k = 0; k < n_out; k++)
			vms[out[k].domid - 1].target_kb = out[k].target_kb;
		changes += n_out;
	}
	printf("planbench: policy=%s domains=%zu rounds=%u changes=%zu\n",
	    ops->name, n, rounds, changes);
	free(vms);
	free(out);
	return 0;
}
