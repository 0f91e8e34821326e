# plot-cache.gp: cache misses per 1000 FLOP of useful work against the sequence length, a line
# per implementation; one file per event, its title saying hardware (PAPI) or simulated.
load params
load scriptdir.'/plot-style.gp'
xseq = 1
do for [t=1:2] {
    load scriptdir.'/plot-begin.gp'
    set ylabel 'misses per 1000 FLOP'
    if (logy) {
        set logscale y
        set yrange [ymin/1.6 : ymax*1.6]
    } else {
        set yrange [0 : ymax*1.12]
    }
    do for [p=1:npanel] {
        load scriptdir.'/plot-panel.gp'
        plot for [j=1:words(pimpls[p])] pfile[p] index (j-1) using 1:2 \
            with linespoints lt int(word(pimpls[p], j)) notitle
    }
    load scriptdir.'/plot-legend.gp'
    plot for [j=1:words(fimpls)] NaN with linespoints lt int(word(fimpls, j)) \
        title impl[int(word(fimpls, j))]
    unset multiplot
    unset output
}
