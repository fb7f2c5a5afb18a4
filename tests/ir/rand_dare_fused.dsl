# RUN: --emit=ir
# DARE's drop mask, rand([m, n], seed) < density, is drawn where it is read: in the sums of the
# kept elements' L1 norms (parallel over the models) and in the merging loop (parallel over the
# elements), each model's draw at its row-major position k n + i. No tensor of draws is stored
# (before rand was lazy it was an f32 [2, n] from sn_random: 4 bytes per element and model).
arg b: f32[n]
arg x: f32[n]
arg y: f32[n]
print(merge_dare(b, stack(x, y), [0.5, 0.5], 0.5, 7))
# CHECK-LABEL: func @main
# CHECK-NOT: x2>
# CHECK-NOT: sn_random
# CHECK: rand [[SEED:%[0-9]+]], {{%[0-9]+}} : f32
# CHECK-NOT: x2>
# CHECK: alloc [[N:%[0-9]+]] : tensor<f32 x1>
# CHECK-NEXT: data
# CHECK-NEXT: for parallel {{%[0-9]+}}, [[N]] ([[I:%[0-9]+]]) {
# CHECK-NOT: x2>
# CHECK: [[AT0:%[0-9]+]] = bin.add {{%[0-9]+}}, [[I]] : i64
# CHECK-NEXT: rand [[SEED]], [[AT0]] : f32
# CHECK-NOT: x2>
# CHECK: [[AT1:%[0-9]+]] = bin.add {{%[0-9]+}}, [[I]] : i64
# CHECK-NEXT: rand [[SEED]], [[AT1]] : f32
# CHECK-NOT: x2>
# CHECK-NOT: sn_random
