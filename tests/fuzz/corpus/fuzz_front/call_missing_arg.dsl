fn f(x, y) = x + y
print(f(1))
