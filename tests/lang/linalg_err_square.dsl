# exit: 1
# args: --n=3
# A matrix whose sizes are known only when the program runs is checked to be square then.
arg n: i64
let A = ones([n, 4])
print(det(A))
