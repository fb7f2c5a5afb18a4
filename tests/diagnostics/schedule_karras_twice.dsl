# Karras applied to a finished Karras schedule: its last sigma, 0, is not a sigma_min (known when
# compiling, as the schedule is).
let k = sigmas_karras(10, 0.002, 80.0)
print(sigmas_karras(10, k[10], k[0]))
