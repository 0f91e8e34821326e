# plot-begin.gp: starts pass t of a figure (1: PNG through pngcairo, 2: SVG) and sets what
# its panels share. Text is not "enhanced": names like seq_kv must not turn into subscripts.
reset
if (t == 1) {
    set terminal pngcairo size W,H noenhanced font 'Sans,10'
    set output out.'.png'
} else {
    set terminal svg size W,H noenhanced font 'Sans,10' background '#ffffff'
    set output out.'.svg'
}
set multiplot title title."\n".subtitle font ',12'
set grid xtics ytics lc rgb '#dddddd' lw 1 dt 1
set border lc rgb '#333333'
set key off
set xlabel xlabel
# Sequence lengths: a log2 axis with a tic at each measured length.
if (xseq) {
    set logscale x 2
    set xrange [xmin/1.3 : xmax*1.3]
    if (strlen(xticks) > 0) { eval 'set xtics '.xticks }
}
