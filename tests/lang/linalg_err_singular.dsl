# exit: 1
# A singular matrix stops solve at the call (LAPACK's getrf reports a zero pivot), rather than
# giving infinities or NaN as a division by the zero pivot would; det of it is 0.
let A = [[1.0, 2.0], [2.0, 4.0]]
print(det(A))
print(solve(A, [1.0, 1.0]))
