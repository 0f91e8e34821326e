# plot-time.gp: median time per run() against the sequence length, log-log, a line per
# implementation and a panel per problem. `attnbench plots` runs it with params = the
# parameter file it wrote (data files, titles, grid).
load params
load scriptdir.'/plot-style.gp'
xseq = 1
do for [t=1:2] {
    load scriptdir.'/plot-begin.gp'
    set logscale y
    set format y '%.0s %cs'
    set ylabel 'median time per run()'
    set yrange [ymin/1.6 : ymax*1.6]
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
