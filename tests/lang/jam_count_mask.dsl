# The values of tests/ir/jam_count_mask.dsl's kind of program: a count and a mask over the same
# range, jammed into one loop (jam.c), and a mask that reads the first at i + 1, not jammed.
# With x the sorted (7919 i mod n) / n, NumPy (x = np.sort((np.arange(n) * 7919 % n).astype(
# np.float32) / n); m = (x > 0.2) & (x < 0.45)) gives (x > 0.7).sum() = 29999, m.sum() = 24999
# and (np.roll(m, -1) & (x > 0.3)).sum() = 14998.
let n = 100000
let x = sort(f32((arange(n) * 7919) % n) / f32(n))
let above = sum(i < n) i64(x[i] > 0.7)
let m[i < n] = x[i] > 0.2 and x[i] < 0.45
let next[i < n] = m[(i + 1) % n] and x[i] > 0.3
print(above, size(arange(n)[m], 0), size(arange(n)[next], 0))
