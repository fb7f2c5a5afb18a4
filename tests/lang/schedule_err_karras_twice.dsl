# exit: 1
# Karras applied to a finished Karras schedule: its last sigma, 0, is not a sigma_min.
let k = sigmas_karras(10, 0.002, 80.0)
print(sigmas_karras(10, k[10], k[0]))
