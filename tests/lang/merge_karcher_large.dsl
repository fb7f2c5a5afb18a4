# The Karcher mean of two models of 2^20 elements against its closed form: for two directions with
# equal weights it is their normalised sum (the geodesic midpoint), times the mean of the norms.
# The mean's parallel loop over the models holds three sums over the elements one after another:
# their work estimate (a product) wrapped to 0 and the program died of SIGFPE before the estimate
# saturated (compiler/codegen_llvm.c, WORK_CAP). n is an argument: a size known only when the
# program runs (a constant one folded the division away).
arg n: i64 = 1048576
let x[i < n] = f32(sin(f64(i) * 0.001))
let y[i < n] = f32(cos(f64(i) * 0.0007) + 0.5)
let r = merge_karcher(stack(x, y))
let nx = sqrt(sum(i < n) f64(x[i]) * f64(x[i]))
let ny = sqrt(sum(i < n) f64(y[i]) * f64(y[i]))
let mid[i < n] = f64(x[i]) / nx + f64(y[i]) / ny
let nm = sqrt(sum(i < n) mid[i] * mid[i])
let err = max(i < n) abs(f64(r[i]) - (nx + ny) / 2 * mid[i] / nm)
let big = max(i < n) abs(f64(r[i]))
print(err < 1e-5 * big)
