# plot-memory.gp: each implementation's workspace against the sequence length, log-log, with
# the problem's minimum footprint (Q, K, V, O once each) as a dashed black line.
load params
load scriptdir.'/plot-style.gp'
xseq = 1
do for [t=1:2] {
    load scriptdir.'/plot-begin.gp'
    set logscale y
    set format y '%.0s %cB'
    set ylabel 'bytes'
    set yrange [ymin/2 : ymax*2]
    do for [p=1:npanel] {
        load scriptdir.'/plot-panel.gp'
        plot for [j=1:words(pimpls[p])] pfile[p] index (j-1) using 1:2 \
                with linespoints lt int(word(pimpls[p], j)) notitle, \
             for [r=1:pref[p]] pfile[p] index words(pimpls[p]) using 1:2 \
                with lines lc rgb 'black' dt 2 lw 2 notitle
    }
    load scriptdir.'/plot-legend.gp'
    plot for [j=1:words(fimpls)] NaN with linespoints lt int(word(fimpls, j)) \
            title impl[int(word(fimpls, j))], \
         NaN with lines lc rgb 'black' dt 2 lw 2 title 'minimum footprint'
    unset multiplot
    unset output
}
