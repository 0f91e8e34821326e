# plot-scaling.gp: speedup over the fewest threads against the thread count, a line per
# implementation at the longest sequence each problem ran; dashed: ideal (linear) scaling.
load params
load scriptdir.'/plot-style.gp'
xseq = 0
ideal_top = xmax / xmin
do for [t=1:2] {
    load scriptdir.'/plot-begin.gp'
    if (xmax / xmin >= 8) {
        set logscale xy 2
        set xrange [xmin/1.3 : xmax*1.3]
        set yrange [(ymin < 1 ? ymin : 1)/1.3 : (ymax > ideal_top ? ymax : ideal_top)*1.3]
    } else {
        set xrange [xmin - 0.1*(xmax-xmin) : xmax + 0.1*(xmax-xmin)]
        set yrange [0 : (ymax > ideal_top ? ymax : ideal_top)*1.12]
    }
    if (strlen(xticks) > 0) { eval 'set xtics '.xticks }
    set ylabel sprintf('speedup over %g thread%s', xmin, xmin == 1 ? '' : 's')
    do for [p=1:npanel] {
        load scriptdir.'/plot-panel.gp'
        plot for [j=1:words(pimpls[p])] pfile[p] index (j-1) using 1:2 \
                with linespoints lt int(word(pimpls[p], j)) notitle, \
             x / xmin with lines lc rgb 'black' dt 2 lw 1.5 notitle
    }
    load scriptdir.'/plot-legend.gp'
    plot for [j=1:words(fimpls)] NaN with linespoints lt int(word(fimpls, j)) \
            title impl[int(word(fimpls, j))], \
         NaN with lines lc rgb 'black' dt 2 lw 1.5 title 'ideal'
    unset multiplot
    unset output
}
