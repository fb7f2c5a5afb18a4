# A negative last noise level is refused (k-diffusion would take the log of it in DPM++).
let g = gmm_isotropic([1.0], [[0.0, 0.0]], [1.0])
print(sample_dpmpp_2m(g.denoiser, zeros([3, 2], dtype=f64), [10.0, 2.0, -1.0]))
