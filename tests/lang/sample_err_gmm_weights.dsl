# exit: 1
# A mixture with a negative weight is refused where it is made.
let g = gmm_isotropic([0.5, -0.5, 1.0], [[0.0], [1.0], [2.0]], [0.5, 0.5, 0.5])
print(gmm_mean(g))
