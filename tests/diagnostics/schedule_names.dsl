# Names of spacings, beta schedules, final sigmas and prediction types are checked when compiling.
let t = timesteps(10, "trailng")
let b = betas("cosine")
let sd = ddpm_schedule()
let e = euler_timesteps(sd, 10, final="none")
let x0 = to_denoised(0.5, 1.0, 2.0, "eps")
