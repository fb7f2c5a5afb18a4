fn apply(f, x) = f(x)
print(apply(3, 1.0))
