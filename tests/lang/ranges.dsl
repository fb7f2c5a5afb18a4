# Explicit index ranges: `i < n` where no subscript fixes the range, or to take part of a
# dimension.
let k = 4
let squares[i < k] = i * i
let table[i < 3, j < 4] = 10 * i + j
print(squares, table)
print(sum(i < 100) i, prod(i < 5) (i + 1), max(i < 7) (i % 4))
let x = [5.0, 6.0, 7.0, 8.0, 9.0]
let head[i < 3] = x[i]
let pairs[i < 4] = x[i] + x[i + 1]
print(head, pairs)
let counts[c < 3] = sum(i < 10) if i % 3 == c then 1 else 0
print(counts, sum(i < 0) 1.0)
