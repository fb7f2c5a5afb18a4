# Sizes that are constants are checked when compiling: b's rows against A's size n.
let A = eye(3)
print(solve(A, [1.0, 2.0]))
