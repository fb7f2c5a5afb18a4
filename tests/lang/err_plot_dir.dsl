# exit: 1
# A picture in a directory that does not exist is an error naming the path; nothing is written.
plot_scatter("/tmp/sinter-test-no-such-dir/points.png", [[0.0, 1.0], [2.0, 3.0]])
print("not reached")
