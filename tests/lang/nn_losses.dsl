# Losses of stdlib/nn.dsl against PyTorch 1.13 and NumPy references (tests/conformance/gen_nn.py),
# in f64. Each prints whether max |sinter - reference| <= 1e-12 max |reference|, except where
# a line says otherwise.
fn rel(a, b) = max(abs(a - b)) / max(abs(b))
fn ok(a, b) = rel(a, b) <= 1e-12
let D = "tests/conformance/nn/"
let a = load(D + "mse_a.npy")
let b = load(D + "mse_b.npy")
print("mse", ok(mse(a, b), load(D + "mse.npy")), ok(sum(mse_none(a, b)), load(D + "mse_sum.npy")))
# cross-entropy: class indices and probabilities, label smoothing 0 and 0.1, a logit of 400
let lg = load(D + "ce_logits.npy")
let t = load(D + "ce_t.npy")
let soft = load(D + "ce_soft.npy")
print("cross_entropy", ok(cross_entropy(lg, t), load(D + "ce_ls0.npy")), ok(cross_entropy_none(lg, t), load(D + "ce_ls0_none.npy")),
      ok(sum(cross_entropy_none(lg, t)), load(D + "ce_ls0_sum.npy")),
      ok(cross_entropy(lg, t, label_smoothing=0.1), load(D + "ce_ls1.npy")),
      ok(cross_entropy_none(lg, t, label_smoothing=0.1), load(D + "ce_ls1_none.npy")),
      ok(sum(cross_entropy_none(lg, t, label_smoothing=0.1)), load(D + "ce_ls1_sum.npy")))
print("soft_cross_entropy", ok(soft_cross_entropy(lg, soft), load(D + "ce_ls0_soft.npy")),
      ok(soft_cross_entropy_none(lg, soft), load(D + "ce_ls0_soft_none.npy")),
      ok(soft_cross_entropy(lg, soft, label_smoothing=0.1), load(D + "ce_ls1_soft.npy")),
      ok(soft_cross_entropy_none(lg, soft, label_smoothing=0.1), load(D + "ce_ls1_soft_none.npy")))
# binary cross-entropy with logits of +-60 (the stable form), pos_weight per class
let bx = load(D + "bce_x.npy")
let by = load(D + "bce_y.npy")
let pw = load(D + "bce_pw.npy")
print("bce_with_logits", ok(bce_with_logits(bx, by), load(D + "bce.npy")), ok(bce_with_logits_none(bx, by), load(D + "bce_none.npy")),
      ok(bce_with_logits_none(bx, by, pos_weight=pw), load(D + "bce_pw_none.npy")),
      ok(bce_with_logits(bx, by, pos_weight=pw), load(D + "bce_pw_mean.npy")))
# KL with a target probability of 0 (it adds 0)
let ki = load(D + "kl_input.npy")
let kt = load(D + "kl_target.npy")
print("kl_div", ok(kl_div(ki, kt), load(D + "kl_batchmean.npy")), ok(kl_div_none(ki, kt), load(D + "kl_none.npy")))
# entmax: against the NumPy port of the entmax package's bisection (50 halvings, as here), and
# against the exact sort-based sparsemax and 1.5-entmax of the papers (the bisection's bracket
# after 50 halvings is below 1e-15, which moves p by less than 1e-12 of its largest entry)
let z = load(D + "ent_x.npy")
print("entmax bisection", ok(entmax(z), load(D + "ent_bisect_15.npy")), ok(entmax(z, alpha=2), load(D + "ent_bisect_20.npy")),
      ok(entmax(z, alpha=1.2), load(D + "ent_bisect_12.npy")), ok(entmax(z, alpha=3), load(D + "ent_bisect_30.npy")))
print("entmax exact", ok(sparsemax(z), load(D + "ent_sparsemax_sort.npy")), ok(entmax(z, alpha=1.5), load(D + "ent_15_sort.npy")))
# sparsemax's zeros are exact zeros where the sort's are; alpha -> 1 tends to softmax: at
# alpha = 1.001 within 1e-2 (the gap is O(alpha - 1)); rows sum to 1
print("entmax zeros", all((sparsemax(z) == 0) == (load(D + "ent_sparsemax_sort.npy") == 0)), sum(sparsemax(z) == 0) > 5)
print("entmax near 1", rel(entmax(z, alpha=1.001, iters=80), load(D + "ent_softmax.npy")) < 1e-2,
      max(abs(sum(entmax(z), axis=1) - 1)) < 1e-15)
let et = load(D + "ent_t.npy")
print("tsallis", ok(tsallis_loss_none(z, et), load(D + "tsallis_15.npy")), ok(tsallis_loss_none(z, et, alpha=2), load(D + "tsallis_20.npy")),
      ok(tsallis_loss(z, et), mean(load(D + "tsallis_15.npy"))))
# flow matching (rectified flow) and denoising score matching (sigma^2 weighting)
let x0 = load(D + "fm_x0.npy")
let x1 = load(D + "fm_x1.npy")
print("flow", ok(flow_point(x0, x1, load(D + "fm_t.npy")), load(D + "fm_xt.npy")), ok(flow_matching(load(D + "fm_v.npy"), x0, x1), load(D + "fm_loss.npy")))
print("score", ok(score_matching(load(D + "dsm_s.npy"), load(D + "dsm_noise.npy"), load(D + "dsm_sigma.npy")), load(D + "dsm_loss.npy")))
