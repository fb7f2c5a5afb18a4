# exit: 1
# args: --n=4
# A mask sized at run time must match the dimension it selects from.
arg n: i64
let x = [1.0, 2.0, 3.0]
let keep = arange(n) > 1
print(x[keep])
print("not reached")
