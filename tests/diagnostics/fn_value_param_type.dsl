fn apply(f: fn, x) = f(x)
print(apply(2.0, 1.0))
