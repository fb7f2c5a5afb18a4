# exit: 1
# A NaN or infinite element is an error at the call, not a NaN result.
let A = [[2.0, 1.0], [1.0, log(-1.0)]]
print(inv(A))
