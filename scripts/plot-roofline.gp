# plot-roofline.gp: every timed case at its arithmetic intensity against its GFLOP/s, log-log,
# under the triad bandwidth slope and a compute ceiling per ISA measured at the panel's threads
# (older results, without per-ISA peaks: the one ceiling min(peak, triad x intensity)).
load params
load scriptdir.'/plot-style.gp'
# Parameters from a binary older than the per-ISA ceilings have no nceil: the one ceiling.
if (!exists('nceil')) { nceil = 0 }
xseq = 0
top_peak = 0
low_peak = NaN
ridge = xmin
low_bw = NaN
cv(p, c) = pceil[(p-1)*nceil + c]
do for [p=1:npanel] {
    if (ppeak[p] == ppeak[p] && ppeak[p] > top_peak) { top_peak = ppeak[p] }
    if (pbw[p] == pbw[p] && ppeak[p] / pbw[p] < ridge) { ridge = ppeak[p] / pbw[p] }
    if (pbw[p] == pbw[p] && !(pbw[p] >= low_bw)) { low_bw = pbw[p] }
    # Each lower ceiling meets the slope left of the top one's ridge: show where.
    do for [c=1:nceil] {
        if (cv(p, c) == cv(p, c) && pbw[p] == pbw[p] && cv(p, c) / pbw[p] < ridge) {
            ridge = cv(p, c) / pbw[p]
        }
        if (cv(p, c) == cv(p, c) && !(cv(p, c) >= low_peak)) { low_peak = cv(p, c) }
    }
}
roof(x, peak, bw) = (bw*x < peak) ? bw*x : peak
x_lo = ridge / 3
x_hi = xmax * 3
y_lo = (low_bw == low_bw && low_bw*x_lo < ymin) ? low_bw*x_lo / 1.5 : ymin / 1.5
if (low_peak == low_peak && low_peak / 1.5 < y_lo) { y_lo = low_peak / 1.5 }
y_hi = (top_peak > ymax ? top_peak : ymax) * 2.5

# A ceiling's style follows its ISA (ceilkind: 1 scalar, 2 avx2_fma, 3 avx512), the same on
# every machine. AVX-512 is a wide light band drawn first and the others thin dark lines on it,
# so that two ceilings at the same height (Zen 4's AVX2 and AVX-512) both stay visible.
ceil_lt(c) = 100 + ceilkind[c]
# Each ceiling runs from where it meets the slope (from the left edge when the run has no
# triad figure); one not measured at the panel's threads is NaN, so draws nothing.
ceil_from(p, c) = (pbw[p] == pbw[p] && cv(p, c) == cv(p, c)) ? cv(p, c) / pbw[p] : x_lo
do for [t=1:2] {
    load scriptdir.'/plot-begin.gp'
    set logscale xy
    set xrange [x_lo : x_hi]
    set yrange [y_lo : y_hi]
    set ylabel 'GFLOP/s'
    set format x '%g'
    set format y '%g'
    set linetype 101 lc rgb '#222222' lw 1.5 dt 3
    set linetype 102 lc rgb '#222222' lw 1.5 dt 2
    set linetype 103 lc rgb '#b8b8b8' lw 6 dt 1
    do for [p=1:npanel] {
        load scriptdir.'/plot-panel.gp'
        # The ceilings' values go in the title: a label on the lines would cover points.
        if (nceil == 0 && ppeak[p] == ppeak[p]) {
            set title (strlen(ptitle[p]) > 0 ? ptitle[p].': ' : '') \
                .sprintf('peak %.0f GFLOP/s, triad %.1f GB/s', ppeak[p], pbw[p])
        }
        if (nceil > 0) {
            peaks = ''
            do for [c=1:nceil] {
                if (cv(p, c) == cv(p, c)) {
                    peaks = peaks.(strlen(peaks) > 0 ? ', ' : '') \
                        .sprintf('%s %.0f', ceilisa[c], cv(p, c))
                }
            }
            if (strlen(peaks) > 0) {
                set title (strlen(ptitle[p]) > 0 ? ptitle[p]."\n" : '').peaks.' GFLOP/s' \
                    .(pbw[p] == pbw[p] ? sprintf('; triad %.1f GB/s', pbw[p]) : '')
            }
        }
        if (nceil == 0) {
            set samples 400
            plot roof(x, ppeak[p], pbw[p]) with lines lc rgb 'black' lw 2 notitle, \
                 for [j=1:words(pimpls[p])] pfile[p] index (j-1) using 1:2 \
                    with points lt int(word(pimpls[p], j)) notitle
        } else {
            # The slope runs up to the panel's highest ceiling.
            ptop = 0
            do for [c=1:nceil] {
                if (cv(p, c) == cv(p, c) && cv(p, c) > ptop) { ptop = cv(p, c) }
            }
            slope_to = (pbw[p] == pbw[p] && ptop > 0) ? ptop / pbw[p] : x_hi
            # Straight lines on log-log axes: their two ends are all the samples they need, and
            # a wide line drawn in one piece has no joins to show.
            set samples 2
            plot for [c=nceil:1:-1] [u=ceil_from(p, c):x_hi] '+' \
                    using (u):(cv(p, c)) with lines lt ceil_lt(c) notitle, \
                 [u=x_lo:slope_to] '+' using (u):(ptop > 0 ? pbw[p]*u : NaN) \
                    with lines lc rgb 'black' lw 2 notitle, \
                 for [j=1:words(pimpls[p])] pfile[p] index (j-1) using 1:2 \
                    with points lt int(word(pimpls[p], j)) notitle
        }
    }
    load scriptdir.'/plot-legend.gp'
    if (nceil == 0) {
        plot for [j=1:words(fimpls)] NaN with points lt int(word(fimpls, j)) \
                title impl[int(word(fimpls, j))], \
             NaN with lines lc rgb 'black' lw 2 title 'ceilings'
    } else {
        plot for [j=1:words(fimpls)] NaN with points lt int(word(fimpls, j)) \
                title impl[int(word(fimpls, j))], \
             NaN with lines lc rgb 'black' lw 2 title 'triad GB/s x intensity', \
             for [c=nceil:1:-1] NaN with lines lt ceil_lt(c) title ceilisa[c].' peak'
    }
    unset multiplot
    unset output
}
