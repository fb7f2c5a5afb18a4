# exit: 1
# A value that is not finite is named with its subscript, not drawn as a gap.
let y[k < 2, i < 4] = sqrt(f64(i - k))
plot_lines("/tmp/sinter-test-plot-nan.png", y)
print("not reached")
