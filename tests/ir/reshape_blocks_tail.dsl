# RUN: --emit=ir:fuse
# The axes after reshape's last block whose sizes show equal products are one more block: the
# whole counts are checked equal, so their products are equal too. [a, s, h, e / h] into [a s, e]
# (multihead_attention's heads merged back) reads x[i / s, i % s, j / (e / h), j % (e / h)]: the
# row's digits stay out of the loop over j, where the four digits of one flat position i e + j
# cost three divisions per element (3% of a transformer's training step).
arg x: f32[a, s, h, d]
arg e: i64 = 8
let y[z < a, i < s, g < h, c < i64(e / h)] = x[z, i, g, c]
print(reshape(y, [a * s, e]))
# CHECK: compr {{.*}} (%[[I:[0-9]+]], %[[J:[0-9]+]]) {
# CHECK-NEXT: bin.rem %[[I]],
# CHECK-NEXT: bin.div %[[I]],
# CHECK-NEXT: bin.rem %[[J]],
# CHECK-NEXT: bin.div %[[J]],
