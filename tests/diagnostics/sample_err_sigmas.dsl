# Noise levels that do not decrease stop the sampler at its call, naming the first pair at fault.
let g = gmm_isotropic([1.0], [[0.0, 0.0]], [1.0])
print(sample_heun(g.denoiser, zeros([3, 2], dtype=f64), [10.0, 2.0, 5.0, 0.0]))
