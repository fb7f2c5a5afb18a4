# The normal draws cmaes makes for seed 7 in 4 dimensions (popsize 8), 60 generations: generation g
# draws randn([8, 4], seed=7 * 1000003 + g) (stdlib/search.dsl). gen_cmaes.py reads them.
# Run: build/bin/sinter run tests/conformance/cmaes/draws.dsl
let G = 60
let r = iterate Z = zeros([G, 8, 4], dtype=f64), g = 0 {
  let z = randn([8, 4], seed=7 * 1000003 + g, dtype=f64)
  Z[h, k, i] = if h == g then z[k, i] else Z[h, k, i]
  g = g + 1
} max G
save(r.Z, "tests/conformance/cmaes/draws.npy")
