fn f(x) = x
print(f(y = 1))
