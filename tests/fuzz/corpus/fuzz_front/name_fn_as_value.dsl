fn f(x) = x
print(f + 1)
