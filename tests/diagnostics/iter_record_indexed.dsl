let r = iterate p = {w: [1.0, 2.0]} { p[i] = p.w[i] * 2 } max 3
print(r)
