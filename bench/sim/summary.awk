# summary.awk - aggregate cagma-sim summary lines (key=value) into one row
# per scenario x policy: mean and sample sd of swap-ins, means, sums.
function kv(line, key,    n, i, a, b) {
	n = split(line, a, " ")
	for (i = 1; i <= n; i++) {
		split(a[i], b, "=")
		if (b[1] == key)
			return b[2]
	}
	return ""
}
{
	k = kv($0, "scenario") "," kv($0, "policy")
	if (!(k in runs))
		order[++nk] = k
	runs[k]++
	x = kv($0, "swapin_pages") + 0
	sw[k] += x; sw2[k] += x * x
	st[k] += kv($0, "starved_s")
	oom[k] += kv($0, "oom_events")
	rv[k] += kv($0, "reserve_violations")
	al[k] += kv($0, "mean_alloc_mib")
	r = kv($0, "reaction_ms_p50") + 0
	if (r >= 0) { re[k, ++nre[k]] = r }
}
function median(k,    i, j, t, n) {
	n = nre[k]
	if (n == 0)
		return "NA"
	for (i = 1; i <= n; i++)
		for (j = i + 1; j <= n; j++)
			if (re[k, j] < re[k, i]) { t = re[k, i]; re[k, i] = re[k, j]; re[k, j] = t }
	return re[k, int((n + 1) / 2)]
}
END {
	print "scenario,policy,runs,swapin_pages_mean,swapin_pages_sd," \
	    "starved_s_mean,oom_events,reserve_violations,mean_alloc_mib," \
	    "reaction_ms_p50" > csv
	print "| scenario | policy | runs | swap-ins (mean ± sd) | starved s | OOM | reserve viol. | mean alloc MiB | reaction p50 ms |" > md
	print "|---|---|---:|---:|---:|---:|---:|---:|---:|" > md
	for (i = 1; i <= nk; i++) {
		k = order[i]; n = runs[k]
		m = sw[k] / n
		v = n > 1 ? (sw2[k] - n * m * m) / (n - 1) : 0
		sd = v > 0 ? sqrt(v) : 0
		split(k, p, ",")
		printf "%s,%d,%.0f,%.0f,%.1f,%d,%d,%.1f,%s\n", k, n, m, sd,
		    st[k] / n, oom[k], rv[k], al[k] / n, median(k) > csv
		printf "| %s | %s | %d | %.0f ± %.0f | %.1f | %d | %d | %.0f | %s |\n",
		    p[1], p[2], n, m, sd, st[k] / n, oom[k], rv[k], al[k] / n,
		    median(k) > md
	}
}
