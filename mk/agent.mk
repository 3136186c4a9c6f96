# mk/agent.mk - cagma-agent extras (issue 4): footprint benchmark.
#   make bench-agent   callgrind instructions per sample / per publish,
#                      private RSS, CPU share; writes bench/results/agent.txt
BENCH_TARGETS += bench-agent
.PHONY: bench-agent
bench-agent: $(B)/bin/cagma-agent
	@sh bench/agent/bench.sh $(B)/bin/cagma-agent bench/results/agent.txt

# libFuzzer on the /proc parsers (clang).  make fuzz-procfs [FUZZ_SECONDS=N]
FUZZ_PROCFS_BIN := build/fuzz/fuzz_procfs
$(FUZZ_PROCFS_BIN): guest-agent/fuzz/fuzz_procfs.c common/procfs.c common/num.c
	@mkdir -p $(@D)
	clang -std=gnu11 -g -O1 -fsanitize=fuzzer,address,undefined \
	    -fno-sanitize-recover=all -Icommon -o $@ $^
.PHONY: fuzz-procfs
fuzz-procfs: $(FUZZ_PROCFS_BIN)
	@mkdir -p build/fuzz/corpus-procfs
	$(FUZZ_PROCFS_BIN) -max_total_time=$(FUZZ_SECONDS) -max_len=8192 \
	    build/fuzz/corpus-procfs 2>&1 | tail -n 3
