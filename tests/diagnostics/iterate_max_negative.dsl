let r = iterate x = 1.0 { x = x / 2 } until x < 0.1 max -5
print(r.x)
