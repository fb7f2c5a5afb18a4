let x = 2
print(x[0])
