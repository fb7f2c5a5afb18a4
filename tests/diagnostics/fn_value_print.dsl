fn sq(x) = x * x
print(sq)
