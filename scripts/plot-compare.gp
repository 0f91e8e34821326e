# plot-compare.gp: `attnbench compare`'s per-case ratios (new / base of the metric) as
# horizontal bars from 1, a row per case, coloured by verdict, over the grey band of
# threshold inside which a change counts as none: 1/(1+t) to 1+t, the same factor either way,
# as compare judges it. Ratios, in a log axis. Run as:
#   gnuplot -d -e "data='cmp.tsv'; out='cmp'; threshold=0.1; metric='time'" plot-compare.gp
# or with those four set in a file: gnuplot -d -e "params='cmp.gp'" plot-compare.gp
# data: tab-separated, a header line, then case, impl, ratio, verdict (a ratio that is not a
# number, as for a broken case, draws a cross at 1). Writes out.png and out.svg.
if (exists("params")) load params
band_lo = 1 / (1 + threshold)
set datafile separator "\t"
stats data skip 1 using (1) nooutput
n = STATS_records
ratio(c) = valid(c) ? column(c) : 1
stats data skip 1 using (ratio(3)) nooutput
lo = STATS_min < band_lo ? STATS_min : band_lo
hi = STATS_max > 1 + threshold ? STATS_max : 1 + threshold
lo = lo / 1.15
hi = hi * 1.35
colour(v) = v eq 'slower' ? 0xd62728 : v eq 'faster' ? 0x2ca02c : v eq 'same' ? 0x9e9e9e : \
            v eq 'broken' ? 0x000000 : v eq 'inconclusive' ? 0x9467bd : 0xff7f0e
W = 1000
H = n*17 + 150 < 32000 ? n*17 + 150 : 32000
do for [t=1:2] {
    reset
    set datafile separator "\t"
    if (t == 1) {
        set terminal pngcairo size W,H noenhanced font 'Sans,9'
        set output out.'.png'
    } else {
        set terminal svg size W,H noenhanced font 'Sans,9' background '#ffffff'
        set output out.'.svg'
    }
    set title sprintf("%s, new / base, a row per case\n" \
                      ."grey band: within a factor 1+%g either way, counted as the same", metric, threshold) \
        font ',11'
    set logscale x 2
    set logscale x2 2
    set xrange [lo : hi]
    set x2range [lo : hi]
    set yrange [n - 0.5 : -0.5]
    set format x '%g'
    set xtics (0.25, 0.5, 0.67, 0.8, 0.9, 1, 1.1, 1.25, 1.5, 2, 3, 4, 8, 16)
    set x2tics (0.25, 0.5, 0.67, 0.8, 0.9, 1, 1.1, 1.25, 1.5, 2, 3, 4, 8, 16)
    set xlabel sprintf('%s ratio, new / base (log scale; 1 = unchanged)', metric)
    set ytics scale 0 nomirror
    set format x2 '%g'
    set grid x lc rgb '#dddddd'
    set object 1 rectangle from band_lo, graph 0 to 1 + threshold, graph 1 behind \
        fillcolor rgb '#e8e8e8' fillstyle solid noborder
    set arrow 1 from 1, graph 0 to 1, graph 1 nohead lc rgb '#555555' lw 1
    set key outside top center horizontal samplen 2
    plot data skip 1 using (1):0:(ratio(3) < 1 ? ratio(3) : 1):(ratio(3) > 1 ? ratio(3) : 1): \
              ($0 - 0.38):($0 + 0.38):(colour(strcol(4))):ytic(1) \
              with boxxyerror fillstyle solid 0.85 noborder lc rgb variable notitle, \
         '' skip 1 using (valid(3) ? NaN : 1):0:(colour(strcol(4))) \
              with points pt 2 ps 1.6 lw 2 lc rgb variable notitle, \
         '' skip 1 using (ratio(3) > 1 ? ratio(3) : 1):0: \
              (valid(3) ? sprintf(' %.3g', ratio(3)) : ' '.strcol(4)) \
              with labels left font ',8' notitle, \
         NaN with lines lw 8 lc rgb '#d62728' title 'slower', \
         NaN with lines lw 8 lc rgb '#2ca02c' title 'faster', \
         NaN with lines lw 8 lc rgb '#9e9e9e' title 'same', \
         NaN with lines lw 8 lc rgb '#000000' title 'broken', \
         NaN with lines lw 8 lc rgb '#9467bd' title 'inconclusive', \
         NaN with lines lw 8 lc rgb '#ff7f0e' title 'other'
    unset output
}
