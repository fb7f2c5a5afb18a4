# RUN: --emit=ir:fuse
# reshape splits the axes into blocks of equal size products and unflattens each block's index
# on its own: [a, b, c, d] into [a b, c d] reads x[i / b, i % b, j / d, j % d], not four digits
# of one flat position i c d + j (im2col's [n ho wo, c kh kw] reshape cost twice the index
# arithmetic of its copy, and the digits of a product cost divisions)
arg x: f32[a, b, c, d]
print(reshape(x, [a * b, c * d]))
# CHECK: compr {{.*}} (%[[I:[0-9]+]], %[[J:[0-9]+]]) {
# CHECK-NEXT: bin.rem %[[I]],
# CHECK-NEXT: bin.div %[[I]],
# CHECK-NEXT: bin.rem %[[J]],
# CHECK-NEXT: bin.div %[[J]],
# CHECK-NEXT: elem %x
