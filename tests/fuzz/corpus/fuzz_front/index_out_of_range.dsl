let v = zeros(3)
print(v[3])
