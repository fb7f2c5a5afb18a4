# Subscripts, negative indices, slices (Python's rules) and partial indexing.
let x = [[1, 2, 3, 4], [5, 6, 7, 8], [9, 10, 11, 12]]
print(x[0, 0], x[2, 3], x[-1, -1], x[1, -4])
print(x[1], x[-1], x[:, 0], x[:, -1])
print(x[0:2, 1:3])
print(x[1:, :2], x[:, 2:])
print(x[5:, :], x[:, 10:20], x[-2:, -2:])
let v = arange(10)
print(v[3:7], v[:3], v[7:], v[-3:], v[2:-2], v[8:3])
let i = 2
print(v[i], v[i + 3], x[i, i - 1])
let shifted[k] = v[k] + 1
print(shifted[9], sum(x[1]), max(x[:, 3]))
let rowsums[r] = sum(x[r])
print(rowsums)
