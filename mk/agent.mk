# mk/agent.mk - cagma-agent extras (issue 4): footprint benchmark.
#   make bench-agent   callgrind instructions per sample / per publish,
#                      private RSS, CPU share; writes bench/results/agent.txt
BENCH_TARGETS += bench-agent
.PHONY: bench-agent
bench-agent: $(B)/bin/cagma-agent
	@sh bench/agent/bench.sh $(B)/bin/cagma-agent bench/results/agent.txt
