# Match two point clouds: y is x in reverse order, moved by (1.5, -0.5) and blurred a little.
# Exact optimal transport (network simplex) recovers which point went where; the plan, an
# n x n matrix with one 1/n per row, is written to a .npy file that NumPy reads with np.load.
arg n: i64 = 300
arg out: str = "build/match_plan.npy"
let x = randn([n, 2], seed=1, dtype=f64)
let noise = randn([n, 2], seed=2, dtype=f64)
let y[j, k] = x[n - 1 - j, k] + (if k == 0 then 1.5 else -0.5) + 0.01 * noise[j, k]
let C[i, j] = sum(k) (x[i, k] - y[j, k])^2
transport t = emd(uniform(n), uniform(n), C)
let matched[i] = argmax(j) t.plan[i, j]
let correct = sum(i) (if matched[i] == n - 1 - i then 1 else 0)
print("optimal:", t.converged, "points matched correctly:", correct, "of", n)
print("mean squared distance moved:", round(t.cost * 1e4) / 1e4)
save(t.plan, out)
let back: f64[r, c] = load(out)
print("plan written:", r, "x", c, "- rows sum to 1/n:", max(i) abs(sum(j) back[i, j] - 1 / f64(n)) < 1e-15)
