# The signature A: num[n, n] unifies A's two sizes: a 2 x 3 matrix has no inverse.
print(inv([[1, 2, 3], [4, 5, 6]]))
