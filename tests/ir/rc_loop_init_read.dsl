# RUN: --emit=ir
# A loop's initial state that its body reads again (lo0 below, fused into f_lo inside the loop)
# stays alive until the loop ends: the loop gets a reference of its own (retain), and the
# caller releases its reference after the loop. Before, the loop took the caller's reference
# and released it after the first iteration, and later iterations read freed memory (wrong
# values now and then through the JIT, an ASan heap-use-after-free).
let z = [[1.0, 1.0, 1.0, 0.5, -2.0], [0.1, 2.0, -1.0, 1.9, 0.0]]
let lo0[i] = max(j) z[i, j] - 1
let f_lo[i] = sum(j) max(z[i, j] - lo0[i], 0) - 1
let r = iterate lo = lo0 {
  lo[i] = if f_lo[i] > 0 then lo[i] + 0.5 else lo[i]
} max 3
print(r.lo)
# CHECK: [[L0:%[0-9]+]] = alloc
# CHECK: retain [[L0]]
# CHECK-NEXT: = loop {{.*}}, [[L0]]
# CHECK: release [[L0]]
# CHECK: call @sn_print_tensor
