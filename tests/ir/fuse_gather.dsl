# RUN: --emit=ir
# A gather is an indexed read: v[idx] * 2.0 summed reads idx's element, wraps a negative one,
# checks it against v's size and loads v there, inside the sum's loop; neither the gathered
# vector nor the reversed slice of arange it indexes by is stored.
arg n: i64 = 100
let v = randn([n], seed=1)
let idx = arange(n)[::-3]
print(sum(v[idx] * 2.0))
# CHECK-LABEL: func @main
# CHECK: [[V:%[0-9]+]] = call @sn_random
# CHECK: [[VD:%[0-9]+]] = data [[V]] : ptr<f32>
# CHECK-NOT: alloc
# CHECK: for parallel chunks
# CHECK: select
# CHECK-NEXT: check.index [[I:%[0-9]+]], %n.{{[0-9]+}} "an element of idx (dimension 0 of f32[n])"
# CHECK-NEXT: load [[VD]], [[I]] : f32
# CHECK: call @sn_sum_leaff
