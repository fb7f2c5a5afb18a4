fn f(x) = f(x) + 1
print(f(1))
