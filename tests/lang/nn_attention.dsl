# Attention of stdlib/nn.dsl against PyTorch 1.13 (tests/conformance/gen_nn.py), in f64:
# scaled dot-product attention (q [2, 3, 5, 4] on k, v of 7 keys; causal on 5), torch's
# nn.MultiheadAttention(8, 2, batch_first=True) (self-attention, causal and not, and cross
# attention on 6 keys), and linear attention (causal against the paper's prefix sums). Each
# prints whether max |sinter - torch| <= 1e-12 max |torch|.
fn rel(a, b) = max(abs(a - b)) / max(abs(b))
fn ok(a, b) = rel(a, b) <= 1e-12
let D = "tests/conformance/nn/"
let q = load(D + "att_q.npy")
let k = load(D + "att_k.npy")
let v = load(D + "att_v.npy")
print("attention", ok(attention(q, k, v), load(D + "att_y.npy")),
      ok(attention(q, k[:, :, 0:5], v[:, :, 0:5], causal=true), load(D + "att_yc.npy")))
let x = load(D + "mha_x.npy")
let kv = load(D + "mha_kv.npy")
let iw = load(D + "mha_in_w.npy")
let ib = load(D + "mha_in_b.npy")
let ow = load(D + "mha_out_w.npy")
let ob = load(D + "mha_out_b.npy")
print("multihead", ok(multihead_attention(x, x, x, iw, ib, ow, ob, 2), load(D + "mha_y.npy")),
      ok(multihead_attention(x, x, x, iw, ib, ow, ob, 2, causal=true), load(D + "mha_yc.npy")),
      ok(multihead_attention(x, kv, kv, iw, ib, ow, ob, 2), load(D + "mha_cross.npy")))
print("linear attention", ok(linear_attention(q, k, v), load(D + "lin_att_y.npy")),
      ok(linear_attention(q, k[:, :, 0:5], v[:, :, 0:5], causal=true), load(D + "lin_att_yc.npy")))
# one query, one key: the value itself; a causal first row sees only the first key
print(attention(ones([1, 1, 1, 2], dtype=f64), ones([1, 1, 1, 2], dtype=f64), [[[[3.0, 4.0]]]]))
let r = attention(zeros([1, 1, 2, 1], dtype=f64), zeros([1, 1, 2, 1], dtype=f64), [[[[1.0], [3.0]]]], causal=true)
print(r[0, 0, 0, 0], r[0, 0, 1, 0])
