let f = 3
print(f(2))
