# mk/sim.mk - the simulator part (issue #5): cagma-sim, planner benchmark,
# bench-sim / bench-planner (appended to BENCH_TARGETS) and the demo.

# The top-level cagma-sim rule links only -lm; config.o needs inih (make
# expands a -lNAME prerequisite to the library's path, appended to $^).
$(B)/bin/cagma-sim: -linih

SIM_SEEDS ?= 5
SIM_RESULTS := bench/results
PLANBENCH := $(B)/bin/cagma-planbench
PROGS += $(PLANBENCH)
PLAN_DOMAINS ?= 1000
PLAN_ROUNDS ?= 10

$(PLANBENCH): $(call obj,bench/sim/planbench/planbench.c) $(LIB_POLICY) \
    $(LIB_COMMON)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $^ -lm $(INIH_LIBS)

.PHONY: bench-sim bench-planner demo-sim sim-golden sim-golden-update
BENCH_TARGETS += bench-sim bench-planner

# every policy x every scenario x SIM_SEEDS seeds -> bench/results/sim-*
bench-sim: $(B)/bin/cagma-sim
	sh bench/sim/run-bench.sh $(B)/bin/cagma-sim $(SIM_RESULTS) $(SIM_SEEDS)
	@cat $(SIM_RESULTS)/sim-summary.md

# callgrind instruction count of policy_decide() per round, 1000 domains
bench-planner: $(PLANBENCH)
	@mkdir -p $(SIM_RESULTS)
	@for p in cagma qmemman; do \
	    valgrind --tool=callgrind --callgrind-out-file=$(B)/callgrind.plan \
	        --toggle-collect=policy_decide $(PLANBENCH) $(PLAN_DOMAINS) \
	        $(PLAN_ROUNDS) $$p >/dev/null 2>&1 || exit 1; \
	    ir=$$(sed -n 's/^totals: *\([0-9]*\).*/\1/p' $(B)/callgrind.plan); \
	    echo "planner $$p: $(PLAN_DOMAINS) domains, $$((ir / $(PLAN_ROUNDS))) instructions per round (callgrind, policy_decide only, $(PLAN_ROUNDS) rounds)"; \
	done | tee $(SIM_RESULTS)/sim-planner.txt
	@ir=$$(sed -n 's/^planner cagma: [0-9]* domains, \([0-9]*\) .*/\1/p' \
	    $(SIM_RESULTS)/sim-planner.txt); \
	if [ "$$ir" -gt 5000000 ]; then \
	    echo "bench-planner: FAIL: $$ir > 5000000 per round"; exit 1; fi

# the paper's scenario, live, then a summary against static
demo-sim: $(B)/bin/cagma-sim
	@echo "== cagma-sim: the paper's experiment (3 guests, 4 GB host), cagma policy =="
	@$(B)/bin/cagma-sim --scenario bench/scenarios/paper.scn --policy cagma \
	    --live --live-every 3000 --live-sleep 250
	@echo "== the same scenario, all policies (seed 1) =="
	@for p in static cagma-paper qmemman cagma; do \
	    $(B)/bin/cagma-sim --scenario bench/scenarios/paper.scn --policy $$p; \
	done


# every shipped scenario x policy, seed 1, against bench/sim/expected/
# (make test runs it; a behaviour change runs sim-golden-update and says why)
sim-golden: $(B)/bin/cagma-sim
	@mkdir -p $(RESULTS)
	@sh bench/sim/golden.sh check $(B)/bin/cagma-sim $(RESULTS)

sim-golden-update: $(B)/bin/cagma-sim
	@sh bench/sim/golden.sh update $(B)/bin/cagma-sim
