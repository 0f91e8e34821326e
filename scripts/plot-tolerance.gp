# plot-tolerance.gp: each case's worst error over the error its tolerance allows (tol_ratio),
# log y; the dashed line at 1 is the tolerance: a case passes at or below it.
load params
load scriptdir.'/plot-style.gp'
xseq = 1
do for [t=1:2] {
    load scriptdir.'/plot-begin.gp'
    set logscale y
    set format y '%g'
    set ylabel 'worst error / allowed error'
    set yrange [(ymin < 1 ? ymin : 1)/3 : (ymax > 1 ? ymax : 1)*3]
    set object 1 rectangle from graph 0, first 1 to graph 1, graph 1 behind \
        fillcolor rgb '#fbe3e3' fillstyle solid noborder
    do for [p=1:npanel] {
        load scriptdir.'/plot-panel.gp'
        plot for [j=1:words(pimpls[p])] pfile[p] index (j-1) using 1:2 \
                with linespoints lt int(word(pimpls[p], j)) notitle, \
             1 with lines lc rgb 'black' dt 2 lw 2 notitle
    }
    load scriptdir.'/plot-legend.gp'
    plot for [j=1:words(fimpls)] NaN with linespoints lt int(word(fimpls, j)) \
            title impl[int(word(fimpls, j))], \
         NaN with lines lc rgb 'black' dt 2 lw 2 title 'tolerance (FAIL above)'
    unset multiplot
    unset output
}
