# Softmax and cross-entropy of a batch of logits, row by row, in index notation.
# lse keeps it stable for any magnitude; nothing but the results is stored.
arg batch: i64 = 4
arg classes: i64 = 10
let z = randn([batch, classes], seed=3) * 5.0
let labels = [3, 1, 4, 1]
let logp[i, c] = z[i, c] - lse(k) z[i, k]
let p[i, c] = exp(logp[i, c])
print("rows sum to one:", max(i) abs(sum(c) p[i, c] - 1.0) < 1e-5)
print("cross-entropy:", -mean(i) logp[i, labels[i]])
print("predictions:", argmax(c) z[0, c], argmax(c) z[1, c])
let confident[i] = max(c) p[i, c]
print("confidence:", confident)
