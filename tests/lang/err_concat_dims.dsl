# exit: 1
# args: --n=3
# concat's sizes off the axis must agree, checked when they are known only at run time.
arg n: i64
let a = zeros([2, n])
let b = ones([2, 4])
print(concat(a, b, axis=0))
print("not reached")
