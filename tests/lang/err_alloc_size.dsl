# exit: 1
# args: --n=4611686018427387904
# A tensor whose byte size overflows stops the program at the expression that allocates it.
arg n: i64
let x = ones([n, 4])
print(x)
