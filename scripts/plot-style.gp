# plot-style.gp: what every figure of `attnbench plots` shares: one colour and point shape per
# implementation (by run order, so the same in every figure) and the panel grid's geometry.
# Loaded once by each plot-*.gp script, after its parameter file.

colours = '#1f77b4 #ff7f0e #2ca02c #d62728 #9467bd #8c564b #e377c2 #7f7f7f #bcbd22 #17becf'
shapes = '7 5 9 11 13 15 1 2 3 4'
# Past ten implementations the colours repeat, dashed. Earlier ones are drawn a little wider
# and larger, so that a line another one covers exactly still shows at its edges.
do for [i=1:64] {
    dash = 1 + (i-1)/10
    width = 2.6 - 0.2*((i-1)%10 < 5 ? (i-1)%10 : 5)
    size = 1.4 - 0.07*((i-1)%10 < 5 ? (i-1)%10 : 5)
    set linetype i lc rgb word(colours, (i-1)%10+1) lw width pt int(word(shapes, (i-1)%10+1)) \
        ps size dt dash
}

# The grid in pixels: a cell per panel, a title band on top and the legend on the right, so
# no legend covers data.
cellw = 430
cellh = 340
top = 64
legw = 210
# At least wide enough for the longest title (a one-panel cache figure's).
W = cols*cellw + legw < 780 ? 780 : cols*cellw + legw
H = rows*cellh + top
pl(c) = (c*cellw + 80.) / W
pr(c) = ((c+1)*cellw - 18.) / W
pt(r) = 1 - (top + r*cellh + 30.) / H
pb(r) = 1 - (top + (r+1)*cellh - 66.) / H
