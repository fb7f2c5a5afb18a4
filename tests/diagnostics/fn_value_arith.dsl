fn sq(x) = x * x
print(sq + 1)
