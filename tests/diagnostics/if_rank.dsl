# tensors of different ranks do not join
let x = [1.0, 2.0]
let m = [[1.0, 2.0]]
print(if x[0] > 0 then x else m)
