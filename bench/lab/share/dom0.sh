#!/bin/sh
# dom0.sh - dom0 side of the cagma Xen lab, run by /sbin/cagma-lab-init with
# the 9p share on /mnt/share.  Starts the Xen services, then the job
# (job-$LAB_JOB.sh defines lab_job), then collects logs and prints
# "LAB-DONE rc=N" (the host's verdict).  Every wait is bounded.
S=/mnt/share
OUT=$S/out
mkdir -p "$OUT"
. "$S/lab.env"
. "$S/lib.sh"
. "$S/job-$LAB_JOB.sh"

lab_res "dom0_ready uptime=$(lab_up)"
lab_services || lab_fail "xen services did not start"
[ "$LAB_FAILED" = 0 ] && lab_job
lab_wrapup
