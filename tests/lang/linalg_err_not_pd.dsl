# exit: 1
# cholesky of a symmetric matrix that is not positive definite (eigenvalues 3 and -1) stops at
# the call, naming the leading minor that is not positive.
print(cholesky([[4.0, 2.0], [2.0, 4.0]]))
print(cholesky([[1.0, 2.0], [2.0, 1.0]]))
