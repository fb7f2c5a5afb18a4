# exit: 1
# A picture never replaces a file the program read.
let g = load("tests/lang/data/grid.npy")
plot_lines("tests/lang/data/grid.npy", g[0])
print("not reached")
