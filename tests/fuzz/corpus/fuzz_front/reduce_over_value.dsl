let x = zeros(3)
print(sum(x) -1)
