# A schedule needs one step or more, and a discrete model no more steps than it was trained for.
let s = sigmas_karras(0, 0.002, 80.0)
let t = timesteps(1001)
let f = flow_timesteps(-3, shift=3.0)
