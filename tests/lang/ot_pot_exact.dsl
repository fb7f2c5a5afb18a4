# Exact transport against POT 0.8.2 (tests/conformance/gen_transport_exact.py): emd's cost, plan
# and dual value; emd_1d's W_p^p; sliced_wasserstein with POT's own directions (through emd_1d)
# and with seeded ones, against a 200,000-direction Monte Carlo value.
fn rel(got, want) = max(abs(got - want)) / max(max(abs(want)), 1e-300)

fn close(what, name, err, tol) {
  check(err <= tol, "{} on {}: differs from POT's by {} (relative), above {}", what, name, err, tol)
  err <= tol
}

let dir = "tests/conformance/transport/"

# emd: the cost always; the plan where POT's is the unique optimum (emd.txt's flag)
fn emd_case(name, cost, unique_plan) {
  let p = dir + "emd_" + name
  let a = load(p + "_a.npy")
  let b = load(p + "_b.npy")
  let t = emd(a, b, load(p + "_C.npy"))
  let plan_err = if unique_plan then rel(t.plan, load(p + "_G.npy")) else 0.0
  let dual = sum(i) a[i] * t.f[i] + sum(j) b[j] * t.g[j]
  print("emd", name, t.converged, close("emd cost", name, abs(t.cost - cost) / max(abs(cost), 1.0), 1e-12),
        close("emd plan", name, plan_err, 1e-12), close("emd dual value", name, abs(dual - cost) / max(abs(cost), 1.0), 1e-12))
}

emd_case("square", 0.06712857445683522, true)
emd_case("rect", 4.827953889410448, true)
emd_case("rect_tall", 1.1413589888519549, true)
emd_case("medium", 0.0318720094792096, true)
emd_case("uniform", 0.0584687915910459, false)
emd_case("n1", 0.4961854225026901, true)
emd_case("m1", 0.4548293709893677, true)
emd_case("n1m1", 0.25, true)
emd_case("zeros", 0.17472604104783387, false)
emd_case("integer", 1.3500000000000003, false)
emd_case("degenerate", 1.5, false)
emd_case("negative", -4.717980845182784, true)
emd_case("counts", 15.050397418582243, false)

# emd_1d: W_p^p and its plan's cost
fn w1d_case(name, p, cost) {
  let f = dir + "w1d_" + name
  let t = emd_1d(load(f + "_x.npy"), load(f + "_y.npy"), a=load(f + "_a.npy"), b=load(f + "_b.npy"), p=p)
  print("emd_1d", name, close("emd_1d cost", name, abs(t.cost - cost) / cost, 1e-12),
        close("emd_1d distance", name, abs(t.distance - cost^(1 / p)) / cost^(1 / p), 1e-12))
}

w1d_case("p1", 1.0, 0.7065264049760142)
w1d_case("p2", 2.0, 1.0187925280697712)
w1d_case("p3", 3.0, 0.6655311939417954)
w1d_case("p1_5", 1.5, 1.06637274791948)
w1d_case("uniform", 2.0, 8.281373362930657)
w1d_case("ties", 2.0, 0.9000000000000005)
w1d_case("single", 2.0, 1.119327036102496)

# sliced Wasserstein over POT's directions P [nproj, d], written with emd_1d
fn sliced_pot(name, p, value) {
  let f = dir + "sliced_" + name
  let X = load(f + "_X.npy")
  let Y = load(f + "_Y.npy")
  let P = load(f + "_P.npy")
  let a = load(f + "_a.npy")
  let b = load(f + "_b.npy")
  let r = iterate k = 0, total = 0.0 {
    let px[i] = sum(c) X[i, c] * P[k, c]
    let py[j] = sum(c) Y[j, c] * P[k, c]
    total = total + emd_1d(px, py, a=a, b=b, p=p).cost
    k = k + 1
  } until k >= size(P, 0) max size(P, 0)
  let sw = (r.total / f64(size(P, 0)))^(1 / p)
  print("sliced", name, close("sliced", name, abs(sw - value) / value, 1e-12))
}

sliced_pot("p2", 2.0, 0.41464298518048226)
sliced_pot("p1", 1.0, 0.768786163158929)
sliced_pot("uniform", 2.0, 0.43273076546012745)

# seeded directions: within 4 standard errors of the many-direction value
let X = load(dir + "sliced_p2_X.npy")
let Y = load(dir + "sliced_p2_Y.npy")
let sw = sliced_wasserstein(X, Y, a=load(dir + "sliced_p2_a.npy"), b=load(dir + "sliced_p2_b.npy"), projections=2000, seed=7)
print("sliced seeded", abs(sw - 0.41406444923388125) <= 4 * 0.0032114640230163655)
