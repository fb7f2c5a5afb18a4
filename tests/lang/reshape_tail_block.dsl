# reshape's axes after its last provable block form one more block: [a, s, h, e / h] into
# [a s, e] (attention's heads merged back into rows) reads each row's and each column's digits
# on their own (tests/ir/reshape_blocks_tail). The elements must stay those of the row-major
# order: the heads' values below are 1000 z + 100 g + 10 i + c, read back per row.
arg a: i64 = 2
arg h: i64 = 2
arg e: i64 = 6
let dh = i64(e / h)
let x[z < a, g < h, i < 3, c < dh] = f32(z * 1000 + g * 100 + i * 10 + c)
let y[z < a, i < 3, g < h, c < dh] = x[z, g, i, c]
print(reshape(y, [a * 3, e]))
let empty[z < 0, i < 3, g < h, c < dh] = x[z, g, i, c]
print(reshape(empty, [0, e]))
