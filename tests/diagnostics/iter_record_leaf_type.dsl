let r = iterate p = {w: zeros(3), b: 0.0} { p = {w: zeros(2), b: p.b} } max 3
print(r)
