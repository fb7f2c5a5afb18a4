# modes: jit interp
# reshape unflattens each block of axes whose sizes have equal products on its own
# (tests/ir/reshape_blocks.dsl); every split keeps the row-major order: the result flattened is x
# flattened, for blocks that merge, split, regroup, hold sizes of 1 or meet only at the end.
arg n: i64 = 3
let x = reshape(f64(arange(2 * 3 * 4 * 5)), [2, 3, 4, 5])
fn same(y) = all(flatten(y) == flatten(x)) and numel(y) == numel(x)
print(same(reshape(x, [6, 20])), same(reshape(x, [2, 3, 20])), same(reshape(x, [6, 4, 5])))
print(same(reshape(x, [2, 12, 5])), same(reshape(x, [4, 30])), same(reshape(x, [2, 3, 2, 2, 5])))
print(same(reshape(x, [1, 2, 1, 60, 1])), same(reshape(x, [120])), same(reshape(x, [10, 12])))
let y = reshape(x, [2, n, 4, 5])
print(same(reshape(y, [2 * n, 20])), same(reshape(y, [2, n * 4, 5])), same(reshape(y, [n, 40])))
print(reshape(x, [6, 20])[4, 7], reshape(x, [2, 12, 5])[1, 11, 3], reshape(y, [2 * n, 20])[5, 19])
