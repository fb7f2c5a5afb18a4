fn rec(f, x) = f(f, x + 1)
print(rec(rec, 1))
