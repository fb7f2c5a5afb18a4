# A reduction whose range is wrong still tells where its body ends: its indices read after a +
# get the hint, not a bare "unknown name".
let k = [1.0, 2.0, 3.0]
print(sum(i < 3, j < k) (k[i] + 1.0) * j + k[i] * j)
