# plot-accuracy.gp: relative L2 error (solid) and max abs error (dashed, open points) against
# the sequence length, log y, a colour per implementation.
load params
load scriptdir.'/plot-style.gp'
xseq = 1
do for [t=1:2] {
    load scriptdir.'/plot-begin.gp'
    set logscale y
    set format y '%.0e'
    set ylabel 'error against the float64 reference'
    set yrange [ymin/3 : ymax*3]
    do for [p=1:npanel] {
        load scriptdir.'/plot-panel.gp'
        plot for [j=1:words(pimpls[p])] pfile[p] index (j-1) using 1:2 \
                with linespoints lt int(word(pimpls[p], j)) notitle, \
             for [j=1:words(pimpls[p])] pfile[p] index (j-1) using 1:3 \
                with linespoints lt int(word(pimpls[p], j)) dt 2 pt 6 notitle
    }
    load scriptdir.'/plot-legend.gp'
    plot for [j=1:words(fimpls)] NaN with linespoints lt int(word(fimpls, j)) \
            title impl[int(word(fimpls, j))], \
         NaN with linespoints lc rgb 'black' lw 2 pt 7 title 'relative L2 error', \
         NaN with linespoints lc rgb 'black' lw 2 dt 2 pt 6 title 'max abs error'
    unset multiplot
    unset output
}
