let r = iterate x = 1 { x = x + 1 } max 1.5
print(r)
