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
	fs[k] += kv($0, "failed_starts"); vs[k] += kv($0, "vm_starts")
	x = kv($0, "start_ms_max") + 0
	if (!(k in sm) || x > sm[k]) sm[k] = x
	x = kv($0, "max_drop_mib") + 0
	if (!(k in dr) || x > dr[k]) dr[k] = x
	x = kv($0, "giveback_s_max") + 0
	if (!(k in gb) || x > gb[k]) gb[k] = x
	x = kv($0, "giveback_half_s_max") + 0
	if (!(k in gh) || x > gh[k]) gh[k] = x
	fl[k] += kv($0, "flaps")
	x = kv($0, "release_s_max") + 0
	if (!(k in rs) || x > rs[k]) rs[k] = x
	x = kv($0, "host_min_free_mib") + 0
	if (!(k in hf) || x < hf[k]) hf[k] = x
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
	    "reaction_ms_p50,vm_starts,failed_starts,start_ms_max," \
	    "max_drop_mib,giveback_s_max,giveback_half_s_max,host_min_free_mib,flaps,release_s_max" > csv
	print "| scenario | policy | runs | swap-ins (mean ± sd) | starved s | OOM | reserve viol. | mean alloc MiB | reaction p50 ms | failed starts | start wait max ms | max drop in 2 s MiB | half / 90 % given back, max s | host min free MiB | target flaps | released (issue 17), max s |" > md
	print "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|" > md
	for (i = 1; i <= nk; i++) {
		k = order[i]; n = runs[k]
		m = sw[k] / n
		v = n > 1 ? (sw2[k] - n * m * m) / (n - 1) : 0
		sd = v > 0 ? sqrt(v) : 0
		split(k, p, ",")
		printf "%s,%d,%.0f,%.0f,%.1f,%d,%d,%.1f,%s,%d,%d,%.0f,%.0f,%.1f,%.1f,%.0f,%d,%.1f\n",
		    k, n, m, sd, st[k] / n, oom[k], rv[k], al[k] / n, median(k),
		    vs[k], fs[k], sm[k], dr[k], gb[k], gh[k], hf[k], fl[k], rs[k] > csv
		starts = "-"
		if (vs[k] + fs[k] > 0)
			starts = fs[k] "/" (vs[k] + fs[k])
		wait = "-"
		if (sm[k] >= 0)
			wait = sprintf("%.0f", sm[k])
		rel = "-"
		if (rs[k] >= 0)
			rel = sprintf("%.0f", rs[k])
		back = "-"
		if (gb[k] >= 0)
			back = sprintf("%.0f / %.0f", gh[k], gb[k])
		printf "| %s | %s | %d | %.0f ± %.0f | %.1f | %d | %d | %.0f | %s | %s | %s | %.0f | %s | %.0f | %d | %s |\n",
		    p[1], p[2], n, m, sd, st[k] / n, oom[k], rv[k], al[k] / n,
		    median(k), starts, wait, dr[k], back, hf[k], fl[k], rel > md
	}
}
