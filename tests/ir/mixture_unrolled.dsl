# RUN: --emit=ir
# The mixture's exact denoiser, D[i, j] = sum(c) exp(ll[i, c] - lz[i]) (...), with 8 components
# and 2 coordinates known when compiling: the log-densities ll[i, c] and their lse lz[i] stay
# fused (no n x 8 matrix is stored), the short loops over components and coordinates are
# replaced by their iterations, and cse computes each component's density once per point. The
# loop over points holds straight code (which LLVM vectorises across points): 8 exps in the lse,
# 8 in the responsibilities, one log, and no loop inside.
arg x: f32[n, 2]
let angle[c < 8] = 2 * pi * c / 8
let means[c < 8, j < 2] = if j == 0 then 4 * cos(angle[c]) else 4 * sin(angle[c])
let g = gmm_isotropic(f32(1 + arange(8) / 8), f32(means), f32(0.05 + arange(8) / 40))
print(g.denoiser(x, 0.5) - x)
# CHECK-LABEL: func @main
# CHECK: [[D:%[0-9]+]] = alloc [[N:%[0-9]+]], %{{[0-9]+}} : tensor<f32 x2>
# CHECK-NOT: alloc
# CHECK: for parallel %{{[0-9]+}}, [[N]] (%{{[0-9]+}}) {
# CHECK-NOT: {{ for }}
# CHECK-COUNT-8: math.exp
# CHECK-NOT: {{ for }}
# CHECK: math.log
# CHECK-NOT: {{ for }}
# CHECK-COUNT-8: math.exp
# CHECK-NOT: {{math.exp| for }}
# CHECK: call @sn_print_tensor [[D]]
