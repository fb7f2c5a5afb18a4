# a reduction whose body starts with `[` reads as the reduction subscripted
print(sum(i < 2) [1.0, 2.0][i])
print(max(k) [3, 4][k] * 2)
let x = [1.0]
print(sum(x)[0])
