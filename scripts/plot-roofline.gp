# plot-roofline.gp: every timed case at its arithmetic intensity against its GFLOP/s, log-log,
# under the ceilings min(peak, triad bandwidth x intensity) measured at the panel's threads.
load params
load scriptdir.'/plot-style.gp'
xseq = 0
top_peak = 0
ridge = xmin
low_bw = NaN
do for [p=1:npanel] {
    if (ppeak[p] == ppeak[p] && ppeak[p] > top_peak) { top_peak = ppeak[p] }
    if (pbw[p] == pbw[p] && ppeak[p] / pbw[p] < ridge) { ridge = ppeak[p] / pbw[p] }
    if (pbw[p] == pbw[p] && !(pbw[p] >= low_bw)) { low_bw = pbw[p] }
}
roof(x, peak, bw) = (bw*x < peak) ? bw*x : peak
x_lo = ridge / 3
x_hi = xmax * 3
y_lo = (low_bw == low_bw && low_bw*x_lo < ymin) ? low_bw*x_lo / 1.5 : ymin / 1.5
y_hi = (top_peak > ymax ? top_peak : ymax) * 2.5
do for [t=1:2] {
    load scriptdir.'/plot-begin.gp'
    set logscale xy
    set xrange [x_lo : x_hi]
    set yrange [y_lo : y_hi]
    set ylabel 'GFLOP/s'
    set format x '%g'
    set format y '%g'
    set samples 400
    do for [p=1:npanel] {
        load scriptdir.'/plot-panel.gp'
        # The ceilings' values go in the title: a label on the lines would cover points.
        if (ppeak[p] == ppeak[p]) {
            set title (strlen(ptitle[p]) > 0 ? ptitle[p].': ' : '') \
                .sprintf('peak %.0f GFLOP/s, triad %.1f GB/s', ppeak[p], pbw[p])
        }
        plot roof(x, ppeak[p], pbw[p]) with lines lc rgb 'black' lw 2 notitle, \
             for [j=1:words(pimpls[p])] pfile[p] index (j-1) using 1:2 \
                with points lt int(word(pimpls[p], j)) notitle
    }
    load scriptdir.'/plot-legend.gp'
    plot for [j=1:words(fimpls)] NaN with points lt int(word(fimpls, j)) \
            title impl[int(word(fimpls, j))], \
         NaN with lines lc rgb 'black' lw 2 title 'ceilings'
    unset multiplot
    unset output
}
