let r = iterate x = 1 { x = x + 1 } max 3
print(r.converged)
