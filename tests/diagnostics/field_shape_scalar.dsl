let x = 3.0
print(x.shape)
