let r = iterate p = {w: 1.0, b: 0.0} { p = {b: p.b, w: p.w} } max 3
print(r)
