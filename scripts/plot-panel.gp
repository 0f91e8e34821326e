# plot-panel.gp: places panel p of the grid and titles it with its problem.
set lmargin at screen pl((p-1)%cols)
set rmargin at screen pr((p-1)%cols)
set tmargin at screen pt((p-1)/cols)
set bmargin at screen pb((p-1)/cols)
set title ptitle[p]
