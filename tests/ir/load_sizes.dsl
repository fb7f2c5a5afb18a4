# RUN: --emit=ir
# A size declared for a load is checked once, right after it (check.shape), and is a constant
# from then on: the k loop of the cost over x and y runs to the constant 3, so it is unrolled
# (unroll.c: no loop over k is left), and no size check is left inside the loops (they were 5x slower per sinkhorn_log iteration than with `arg x`). With
# sizes known only when the program runs (d, e), the check that k's two ranges agree is hoisted
# out of the fused loops and runs once.
let x: f64[n, 3] = load("x.npy")
let y: f64[m, 3] = load("y.npy")
let C[i, j] = sum(k) (x[i, k] - y[j, k])^2
let u: f64[p, d] = load("u.npy")
let v: f64[q, e] = load("v.npy")
let D[i, j] = sum(k) (u[i, k] - v[j, k])^2
print(sum(i) lse(j) -C[i, j], sum(i) lse(j) -D[i, j])
# CHECK-LABEL: func @main
# CHECK: [[THREE:%[0-9]+]] = const 3 : i64
# CHECK: [[X:%[0-9]+]] = call @sn_load_tensor
# CHECK: check.shape [[X]], %{{[0-9]+}}, [[THREE]] "`x`"
# CHECK: [[Y:%[0-9]+]] = call @sn_load_tensor
# CHECK: check.shape [[Y]], %{{[0-9]+}}, [[THREE]] "`y`"
# CHECK-NOT: check
# CHECK: for parallel
# CHECK-NOT: check
# CHECK-NOT: {{= for %[0-9]+,}} [[THREE]],
# CHECK: check.dims [[D:%[0-9]+]], [[E:%[0-9]+]] "index k runs over dimension 1 of u and dimension 1 of v"
# CHECK-NOT: check
# CHECK: for parallel
# CHECK: [[KN:%[0-9]+]] = bin.sub [[D]], %{{[0-9]+}} : i64
# CHECK: = for %{{[0-9]+}}, [[KN]], %{{[0-9]+}} : f64
# CHECK-NOT: check
# CHECK: call @sn_print_end
