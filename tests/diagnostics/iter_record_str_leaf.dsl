let r = iterate p = {w: 1.0, name: "x"} { p = p } max 3
print(r)
