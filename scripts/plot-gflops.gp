# plot-gflops.gp: GFLOP/s against the sequence length, a line per implementation, with the
# machine's measured peak at the panel's thread count as a dashed line.
load params
load scriptdir.'/plot-style.gp'
xseq = 1
top_peak = 0
do for [p=1:npanel] { if (ppeak[p] == ppeak[p] && ppeak[p] > top_peak) { top_peak = ppeak[p] } }
do for [t=1:2] {
    load scriptdir.'/plot-begin.gp'
    set ylabel 'GFLOP/s (useful work / median time)'
    if (logy) {
        set logscale y
        set yrange [ymin/1.6 : (top_peak > ymax ? top_peak : ymax)*3]
    } else {
        set yrange [0 : (top_peak > ymax ? top_peak : ymax)*1.15]
    }
    do for [p=1:npanel] {
        load scriptdir.'/plot-panel.gp'
        unset label
        if (ppeak[p] == ppeak[p]) {
            set label 1 sprintf('peak %.0f GFLOP/s', ppeak[p]) at graph 0.03, first ppeak[p] \
                offset 0, 0.7 left textcolor rgb '#333333'
        }
        plot for [j=1:words(pimpls[p])] pfile[p] index (j-1) using 1:2 \
                with linespoints lt int(word(pimpls[p], j)) notitle, \
             ppeak[p] with lines lc rgb 'black' dt 2 lw 1.5 notitle
    }
    load scriptdir.'/plot-legend.gp'
    plot for [j=1:words(fimpls)] NaN with linespoints lt int(word(fimpls, j)) \
            title impl[int(word(fimpls, j))], \
         NaN with lines lc rgb 'black' dt 2 lw 1.5 \
            title (top_peak > 0 ? 'measured peak (FMA)' : '')
    unset multiplot
    unset output
}
