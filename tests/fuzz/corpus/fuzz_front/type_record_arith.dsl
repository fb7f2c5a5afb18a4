let r = {a: 1}
print(r * 2)
