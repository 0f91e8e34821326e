# plot-legend.gp: readies the legend's plot in the strip right of the grid: no axes, the key
# alone. The script then plots NaN once per entry.
unset title
unset xlabel
unset ylabel
unset logscale
unset grid
unset border
unset tics
unset label
unset object
set xrange [0:1]
set yrange [0:1]
set lmargin at screen (cols*cellw + 10.) / W
set rmargin at screen (cols*cellw + legw - 5.) / W
set tmargin at screen pt(0)
set bmargin at screen pb(rows-1)
set key at screen (cols*cellw + 12.) / W, pt(0) left top vertical Left reverse samplen 3 \
    spacing 1.3 noautotitle
