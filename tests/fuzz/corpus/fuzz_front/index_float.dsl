let v = zeros(3)
print(v[1.5])
