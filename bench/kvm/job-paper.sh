# job-paper.sh - the paper's experiment on KVM (sourced by run-kvm.sh).
# Three TCG guests vm1..vm3 sized and loaded as the scenario file says
# (KVM_SCENARIO, default bench/scenarios/paper.scn, read by cagma-sim
# --lab through bench/lab/scenario.sh: start 512 MiB, max 2500 / 1500 /
# 3000 MiB, memory tasks of KVM_TASK_MIB (48) per phase, vm3's disk tasks
# on its own data disk), phases of KVM_PHASE_S seconds (default 30),
# cagmad-libvirt running KVM_POLICY with host_memory = the scenario's host
# (3584 MiB) and its reserve.  With KVM_AGENT=1 (default) every guest runs
# cagma-agent over virtio-serial.  Samples: libvirt's balloon statistics
# every second (samples.txt), cagmactl status (status.txt).
kvm_paper_guest() {
	eval "_st=\${LAB_VM$(($1 + 1))_START:-} _mx=\${LAB_VM$(($1 + 1))_MAX:-}
	    _mt=\${LAB_VM$(($1 + 1))_TASKS:-} _dk=\${LAB_VM$(($1 + 1))_DISK:-}"
	[ -n "$_st" ] && [ -n "$_mx" ] && [ -n "$_mt" ] || {
		kvm_fail "$2: no LAB_VM$(($1 + 1))_* settings from the scenario"
		return 1
	}
	_env="KVM_MEMTASKS=$_mt KVM_DISKTASKS=$_dk KVM_PHASE_S=${KVM_PHASE_S:-30} KVM_TASK_MIB=${KVM_TASK_MIB:-48}"
	_data=0
	case $_dk in *[1-9]*) _data=${KVM_DISK_MIB:-256} ;; esac
	if [ "${KVM_AGENT:-1}" = 1 ]; then
		_env="$_env KVM_AGENT_ARGS='--foreground --transport virtio --port /dev/virtio-ports/org.cagma.agent.0'"
		KVM_CHANNEL=1 KVM_DATA_MB=$_data KVM_SWAP_MB=2048 \
		    kvm_guest "$2" "$_st" "$_mx" phases "$_env"
	else
		KVM_DATA_MB=$_data KVM_SWAP_MB=2048 \
		    kvm_guest "$2" "$_st" "$_mx" phases "$_env"
	fi
}

kvm_job() {
	pol=${KVM_POLICY:-cagma}
	. "$TOP/bench/lab/scenario.sh"
	CAGMA_SIM=${CAGMA_SIM:-$BIN/cagma-sim} lab_scenario \
	    "${KVM_SCENARIO:-$TOP/bench/scenarios/paper.scn}" "${KVM_SCN_RANGE:-}" ||
	    { kvm_fail "scenario"; return 1; }
	host_mb=${KVM_HOST_MB:-3584}
	kvm_res "paper policy=$pol scenario=$LAB_SCN_NAME phases=$LAB_SCN_PHASES phase_s=${KVM_PHASE_S:-30} task_mib=${KVM_TASK_MIB:-48} host_memory=${host_mb}M agent=${KVM_AGENT:-1}"
	kvm_cagmad_conf "$pol" "$(kvm_host_line "$host_mb")" || return
	for i in 0 1 2; do
		kvm_paper_guest $i vm$((i + 1)) || return
	done
	kvm_wait_ready "${KVM_READY_S:-300}" || return
	kvm_events "$RUN/events.txt"
	kvm_sampler "$RUN/samples.txt"
	kvm_cagmad "$pol" || return
	kvm_status "$RUN/status.txt"
	sleep 5
	t_go=$(kvm_now)
	kvm_go
	limit=$((LAB_SCN_PHASES * (${KVM_PHASE_S:-30} + 30) + 180))
	kvm_wait_done "$limit" || kvm_fail "phases not done within $limit s"
	t_done=$(kvm_now)
	kvm_res "phases_end at $t_done"
	kvm_res "job_time_s $(awk -v a="$t_go" -v b="$t_done" 'BEGIN { printf "%.1f", b - a }')"
	kill -0 "$CAGMAD_PID" 2>/dev/null || kvm_fail "cagmad died during the run"
	kvm_cpu "$CAGMAD_PID" cagmad
	for g in $KVM_GUESTS; do
		[ "$(kvm_oom "$g")" -gt 0 ] && kvm_res "oom $g"
	done
	kvm_stop_bg
	kvm_stop_guests 60
	kvm_stop_cagmad
}
