# Karras applied to a finished schedule would take its last sigma, 0, as sigma_min: refused, with
# the way to do it; a range the wrong way round is refused too.
let twice = sigmas_karras(10, 0.0, 80.0)
let upside = sigmas_exponential(10, 80.0, 0.002)
let vp = sigmas_vp(10, eps_s=0.0)
