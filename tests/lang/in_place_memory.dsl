# modes: exe
# max-rss-mb: 110
# An iterate's state of 64 MB updated elementwise 20 times: each step's new state is written over
# the old one (loops.c, reuse_candidate; sn_tensor_reuse), and the initial state x, used only in
# one branch of an `if`, is handed to that branch and then to the loop (rc.c), so it is written
# over too: the peak is about one state, where a new state per step with x kept to the end of the
# `if` took three (192 MB).
arg n: i64 = 16000000
let v[i < n] = f32(i % 1000) / 1000
let x = v + 0
let r = if n > 1 then (iterate y = x { y = y * 0.5 + 1 } max 20).y else x * 2
# y_20 = 2 + (x - 2) / 2^20, checked against v recomputed (fused: no memory)
print(max(i) abs(r[i] - (2 + (v[i] - 2) / 1048576)) < 1e-6, sum(i) i64(r[i] > 1.99) == n)
