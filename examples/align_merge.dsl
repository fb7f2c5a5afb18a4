# Git re-basin: two MLPs trained from different seeds, merged by averaging their weights, and
# merged again after weight matching has permuted the second one's hidden units to line up with
# the first's (stdlib/align.dsl, docs/merge.md "Alignment and search"). A network's hidden units
# can be permuted without changing its function, so two trainings land in differently permuted
# basins: the straight line between them climbs a loss barrier, which alignment mostly removes.

# Four classes in the plane: a wavy boundary, and inside or outside a circle.
let x = randn([1024, 2], seed=1, dtype=f32) * 1.5
let y = i64(sin(2.0 * x[:, 0]) + x[:, 1] > 0) + 2 * i64(x[:, 0]^2 + x[:, 1]^2 > 2.5)
let data = {x: x, y: y}

# Two hidden layers of 32 units, trained with Adam, each from its own seed (initial weights and
# batch order).
fn loss(p, x, y) = cross_entropy(mlp_forward(p, x), y)
fn fit(seed) = train(mlp_init(2, 32, 2, 4, seed=seed), loss, adam(lr=0.01), data, epochs=30, batch_size=64, seed=seed).params
let a = fit(1)
let b = fit(2)

# The loss along (1 - alpha) a + alpha b, alpha = 0, 0.1, ..., 1, before and after alignment.
let on_data = fn(p) = loss(p, x, y)
let naive = loss_barrier(a, b, on_data)
let w = weight_matching(a, b)
let aligned = loss_barrier(a, w.params, on_data)
print("weight matching:", w.sweeps, "sweeps, converged:", w.converged)
print("loss along alpha, naive:  ", naive.losses)
print("loss along alpha, aligned:", aligned.losses)
print("barrier naive:", naive.barrier, " aligned:", aligned.barrier)
print("the midpoint merge's accuracy, naive:", mean(f64(argmax(mlp_forward(interpolate(a, b, 0.5), x), axis=1) == y)),
      " aligned:", mean(f64(argmax(mlp_forward(interpolate(a, w.params, 0.5), x), axis=1) == y)))
check(aligned.barrier < 0.5 * naive.barrier, "alignment should shrink the barrier: {} vs {}", aligned.barrier, naive.barrier)
