# plots.gp - the paper scenario, seed 1: allocation per guest and
# cumulative swap-ins, per policy.  Variables: dir, out, policies.
set terminal pngcairo size 1400,900 font ",9"
set output out."/sim-paper-alloc.png"
n = words(policies)
set multiplot layout 2, (n + 1) / 2 title "paper scenario: allocation (solid) and demand (dashed), MiB"
set xlabel "time (s)"
set yrange [0:1800]
do for [i = 1:n] {
	p = word(policies, i)
	set title p
	plot dir."/".p.".vm1.dat" u 1:2 w l lc 1 t "vm1", \
	     dir."/".p.".vm1.dat" u 1:3 w l dt 2 lc 1 notitle, \
	     dir."/".p.".vm2.dat" u 1:2 w l lc 2 t "vm2", \
	     dir."/".p.".vm2.dat" u 1:3 w l dt 2 lc 2 notitle, \
	     dir."/".p.".vm3.dat" u 1:2 w l lc 3 t "vm3"
}
unset multiplot
set output out."/sim-paper-swapins.png"
set terminal pngcairo size 900,500 font ",10"
set title "paper scenario: cumulative swap-ins (pages, all guests)"
set yrange [*:*]
set key left top
plot for [i = 1:n] dir."/".word(policies, i).".swapins.dat" u 1:2 w l lw 2 t word(policies, i)
