fn f(x) = x
print(f(1, 2))
