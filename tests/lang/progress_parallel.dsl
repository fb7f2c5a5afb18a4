# An iterate inside a comprehension runs on the parallel loop's threads, each opening and closing its
# progress report at once: the reports' list is changed under a lock (it was corrupted: crashes and
# hangs on 2 threads, about one run in two). Each element sums 3 shifted values of x.
let x = randn([200000], seed=1)
let v[i < 200000] = (iterate k = 0, s = 0.0 {
  s = s + x[(i + k) % 200000]
  k = k + 1
} max 3).s
print(sum(v) - 3 * sum(x) < 1e-3 * sum(abs(x)))
