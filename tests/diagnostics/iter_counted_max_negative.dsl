let r = iterate x = 1 { x = x + 1 } max -2
print(r)
