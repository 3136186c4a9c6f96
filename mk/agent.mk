# mk/agent.mk - cagma-agent extras (issue 4): footprint benchmark.
#   make bench-agent   callgrind instructions per sample / per publish,
#                      private RSS, CPU share beside an idle wake-up loop
#                      (the machine's own cost of waking up); writes
#                      bench/results/agent.txt
BENCH_TARGETS += bench-agent
AGENT_TICK := $(B)/bench/agent-tick
.PHONY: bench-agent
$(AGENT_TICK): $(call obj,bench/agent/tick.c)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $^

bench-agent: $(B)/bin/cagma-agent $(AGENT_TICK)
	@sh bench/agent/bench.sh $(B)/bin/cagma-agent bench/results/agent.txt \
	    $(AGENT_TICK)
