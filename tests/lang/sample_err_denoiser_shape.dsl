# exit: 1
# A denoiser whose output is not of its input's shape stops the program at the call that uses it,
# also where the shapes would broadcast ([3, 1] against x's [3, 2]) and give a wrong answer.
let g = gmm_isotropic([1.0, 1.0], [[0.0, 0.0], [1.0, 1.0]], [0.5, 0.5])
let guided = cfg(gmm_denoiser(g), fn(x, sigma) = sum(x, axis=1, keepdims=true), 2.0)
print(guided([[0.0, 1.0], [2.0, 3.0], [4.0, 5.0]], 1.0))
