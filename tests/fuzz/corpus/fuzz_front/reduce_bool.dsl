let b = [true, false]
print(max(i) b[i])
