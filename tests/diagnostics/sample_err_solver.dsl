# An unknown solver of DPM-Solver++ 2M SDE is an error at the call.
let g = gmm_isotropic([1.0], [[0.0, 0.0]], [1.0])
print(sample_dpmpp_2m_sde(g.denoiser, zeros([3, 2], dtype=f64), [10.0, 2.0, 0.0], solver="euler"))
