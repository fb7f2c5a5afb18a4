# nn_forward.dsl: the forward speed of conv2d and multi-head attention at a small CNN's and a small
# transformer's sizes (docs/nn.md, "Speed"); bench/nn_forward.py is PyTorch's side. Run both with
# one thread: SINTER_THREADS=1 sinter run bench/nn_forward.dsl; /usr/bin/python3 bench/nn_forward.py
let x = randn([64, 1, 28, 28], seed=1)
let W = randn([32, 1, 3, 3], seed=2) * 0.3
let b = randn(32, seed=3)
let xt = randn([16, 64, 128], seed=4)
let iw = randn([384, 128], seed=5) * 0.05
let ib = randn(384, seed=6) * 0.05
let ow = randn([128, 128], seed=7) * 0.05
let ob = randn(128, seed=8) * 0.05
let q = randn([16, 4, 64, 32], seed=1)
let r = iterate bc = 1e9, ba = 1e9, bac = 1e9, bcore = 1e9, chk = 0.0 {
  let t0 = now()
  let s1 = sum(conv2d(x, W, b, padding=1))
  let t1 = now()
  let s2 = sum(multihead_attention(xt, xt, xt, iw, ib, ow, ob, 4))
  let t2 = now()
  let s3 = sum(multihead_attention(xt, xt, xt, iw, ib, ow, ob, 4, causal=true))
  let t3 = now()
  let s4 = sum(attention(q, q, q))
  let t4 = now()
  bc = min(bc, t1 - t0)
  ba = min(ba, t2 - t1)
  bac = min(bac, t3 - t2)
  bcore = min(bcore, t4 - t3)
  chk = chk + f64(s1 + s2 + s3 + s4)
} max 20
print("sinter conv2d", r.bc * 1000, "mha", r.ba * 1000, "causal", r.bac * 1000, "attention core", r.bcore * 1000)
