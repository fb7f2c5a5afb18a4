#!/usr/bin/python3
"""gen_transport.py: reference data from POT (Python Optimal Transport) 0.8.2 for sinter's
entropic optimal transport solvers, written to tests/conformance/transport/sk_*.safetensors
(the emd_*, w1d*, sliced* files there belong to gen_transport_exact.py and are not touched).

Run with Debian's interpreter (it has numpy, scipy, POT 0.8.2 and torch):
    /usr/bin/python3 tests/conformance/gen_transport.py
Deterministic: fixed seeds, no timestamps; two runs give byte-identical files (on one machine).
It prints one line per case (marginal errors, agreement checks). About 1 MB of output in all.
sk_*.safetensors files that this script no longer writes are deleted at the end.

FILE FORMAT
Each case is one .safetensors file written here by hand: 8-byte little-endian header length N,
N bytes of JSON {"name": {"dtype": "F64"|"F32", "shape": [...], "data_offsets": [begin, end]},
..., "__metadata__": {...}} padded with spaces to a multiple of 8, then the raw little-endian,
row-major tensor bytes; offsets are relative to the start of the data section and the tensors are
packed in the order listed below without gaps (all F64 tensors first, then the F32 ones, so every
F64 tensor is 8-byte aligned in the file). Scalars are rank-0 tensors (shape []). Every number a
test needs is a tensor; __metadata__ repeats the parameters as strings (for people) and adds
pot_version, case, kind, notes and the achieved errors. Files are written to a temporary name and
renamed, then read back by an independent reader (read_safetensors) and compared bit for bit.
All tensors are F64 unless marked F32. Integer-valued parameters (niter, ...) are F64 too.

CONVENTIONS (sinter's, i.e. GeomLoss's)
  * Cost: C[i,j] = |x_i - y_j|^2 / cscale, computed directly as sum_d (x_id - y_jd)^2 in f64;
    cscale = max_ij |x_i - y_j|^2 so that max C = 1 (exactly), unless the case says otherwise
    (sk_div_*: cscale = 1). x [n,d], y [m,d], cscale [] are stored with C [n,m].
  * Weights a [n], b [m] are positive; in balanced cases both sum to 1.
  * Potentials: P_ij = a_i b_j exp((f_i + g_j - C_ij) / eps). From POT's scalings
    (P = diag(u) K diag(v), K = exp(-C/eps)): f = eps log(u/a), g = eps log(v/b); from
    sinkhorn_log's log_u/log_v: f = eps (log_u - log a), g = eps (log_v - log b).
    Balanced potentials are unique only up to (f + c, g - c); they are stored NORMALISED so that
    sum_i a_i f_i = sum_j b_j g_j. (Unbalanced potentials are unique and stored as they are.)
  * cost = <P, C> = sum_ij P_ij C_ij (POT's sinkhorn2 value);
    value = sum_i a_i f_i + sum_j b_j g_j (the entropic OT value in dual form), which equals
    <P, C> + eps KL(P | a x b), KL(p|q) = sum p log(p/q) - p + q; checked here to 1e-10.
  * POT is run with stopThr 1e-15 (1e-14 where rounding keeps its error measure above 1e-15)
    and numItermax 1e5 - 1e6: the stored plans are fixed points to rounding; every balanced plan's
    row and column sums are asserted to match a and b to 1e-11 (achieved: <= 1e-14, in metadata).

1. BALANCED ENTROPIC OT  sk_<name>.safetensors
   min_P <P,C> + eps KL(P | a x b) s.t. P 1 = a, P^T 1 = b   (same plan as POT's
   <P,C> + eps sum P log P, because the mass is fixed).
   tensors: x [n,d], y [m,d], a [n], b [m], C [n,m], cscale [], eps [], P [n,m], f [n], g [m],
            cost [], value []
   The stored P, f, g are POT's ot.sinkhorn(a, b, C, eps, method='sinkhorn_log'); for the first
   six cases POT's method='sinkhorn' (scaling form) is run as well and asserted to agree to 1e-9
   (achieved ~1e-15). For sk_square40 and sk_rect30x64, POT's method='sinkhorn_epsilon_scaling'
   is also run and asserted to land on the same plan to 1e-9 relative to max P (it reaches only
   ~1e-10: POT 0.8.2 hard-codes stopThr=1e-9 for its inner sinkhorn_stabilized calls).
     sk_square40     n=m=40,  d=2, a, b uniform,                         eps=0.1
     sk_rect30x64    n=30, m=64, d=3, a ~ Dirichlet(2), b ~ U(0.5,1.5)/sum, eps=0.05
     sk_rect100x40   n=100, m=40, d=2, a ~ U(0.5,1.5)/sum, b uniform,     eps=0.01
     sk_wide5x200    n=5, m=200, d=3, a ~ Dirichlet(2), b ~ Dirichlet(2), eps=0.01
     sk_n1           n=1, m=30, d=2 (degenerate: P = b as a row), b ~ U(0.5,1.5)/sum, eps=0.05
     sk_m1           n=40, m=1, d=3 (degenerate: P = a as a column), a ~ Dirichlet(2), eps=0.1
     sk_eps1e-3      n=40, m=30, d=2, a ~ U(0.5,1.5)/sum, b ~ Dirichlet(2), eps=1e-3;
                     POT sinkhorn_log only (checked converged: no warning, marginals < 1e-11)
     sk_eps1e-4      n=30, m=40, d=3, a ~ U(0.5,1.5)/sum, b uniform, eps=1e-4: most of
                     K = exp(-C/eps) underflows to 0 in f64 (fraction in metadata), so the scaling
                     form fails (POT's method='sinkhorn' is run and its failure recorded in the
                     metadata); the stored answer is POT's sinkhorn_log (it converges, ~1.4e4
                     iterations), cross-checked against this script's own numpy log-domain solver.
   f32 variants sk_square40_f32, sk_rect30x64_f32: the same problems with x, y, a, b, C stored
   as F32 (rounded from the f64 inputs); every other tensor (eps, cscale, P, f, g, cost, value) is
   the F64 answer of the UNROUNDED problem, i.e. identical to the f64 file. The effect of the input
   rounding on the answers (solving the rounded problem in f64, a and b renormalised) is recorded
   in metadata "f32_input_effect" (max abs difference / max abs value, over P, f, g, cost, value)
   and asserted < 1e-5.

2. UNBALANCED ENTROPIC OT  sk_unb_<name>.safetensors
   POT 0.8.2's ot.unbalanced.sinkhorn_unbalanced(a, b, C, eps, rho, method='sinkhorn')
   (= sinkhorn_knopp_unbalanced; POT calls rho "reg_m") iterates, with K = exp(-C/eps),
   k = rho/(rho+eps), starting at u = 1/n, v = 1/m:
       u = (a / (K v))^k,   v = (b / (K^T u))^k,   P = diag(u) K diag(v)
   (stopping on the relative change of u and v). Its fixed point minimises EXACTLY
       E(P) = <P,C> + eps sum_ij (P_ij log P_ij - P_ij + 1) + rho KL(P 1 | a) + rho KL(P^T 1 | b),
   KL(p|q) = sum p log(p/q) - p + q (the generalised KL): the entropy is relative to the all-ones
   (Lebesgue/counting) measure, NOT to a x b. (POT's docstring writes Omega = sum P log P; with the
   mass free that would move the optimum by a factor e^-1, so the "- P" is really there: checked
   here by asserting the gradient C + eps log P + rho log(P1/a) + rho log(P^T1/b) vanishes at
   POT's plan, to 1e-9.) A consequence: with small rho the transported mass is pulled towards
   sum_ij exp(-C_ij/eps), which depends on n and m (sk_unb_40x40_rho1e-1 transports mass ~3.8
   between a of mass 1 and b of mass 1.5).
   In sinter's potential convention (f = eps log(u/a), g = eps log(v/b),
   P_ij = a_i b_j exp((f_i + g_j - C_ij)/eps)) the iteration that reproduces POT's plan is
       f_i = -(rho/(rho+eps)) eps log sum_j b_j exp((g_j - C_ij)/eps) - (eps^2/(rho+eps)) log a_i
       g_j = -(rho/(rho+eps)) eps log sum_i a_i exp((f_i - C_ij)/eps) - (eps^2/(rho+eps)) log b_j
   (f updated first, from g = 0; the fixed point does not depend on the start). The extra term
   -(eps^2/(rho+eps)) log a_i is what the entropy relative to 1 instead of a x b adds; equivalently
   POT's plan is the a x b-relative (GeomLoss) plan for the modified cost
   C~_ij = C_ij + eps log a_i + eps log b_j (whose potentials are f~ = f + eps log a). This script
   runs the iteration above in numpy until the potentials change by < 1e-14 and asserts that its
   plan equals POT's to 1e-10 relative to max P (achieved ~1e-14).
   The stored f, g are that iteration's (unique, no shift ambiguity). obj = E(P) above; it is
   checked against the dual value
       -rho sum_i a_i (exp(-(f_i + eps log a_i)/rho) - 1) - rho sum_j b_j (exp(-(g_j + eps log b_j)/rho) - 1)
       - eps sum_ij (P_ij - 1)
   to 1e-10.
   For comparison the files also hold the solution of the GeomLoss convention,
       E_ab(P) = <P,C> + eps KL(P | a x b) + rho KL(P1|a) + rho KL(P^T1|b),
   whose iteration is the one without the log a / log b terms:
       f_i = -(rho/(rho+eps)) eps log sum_j b_j exp((g_j - C_ij)/eps), g likewise,
   P_ab = a_i b_j exp((f_ab_i + g_ab_j - C_ij)/eps), obj_ab = E_ab(P_ab) (checked against its dual
   -rho sum a (e^{-f_ab/rho} - 1) - rho sum b (e^{-g_ab/rho} - 1) - eps sum_ij (P_ab_ij - a_i b_j)).
   This is NOT what POT computes (it differs from P unless all a_i = b_j = 1).
   tensors: x [n,d], y [m,d], a [n], b [m], C [n,m], cscale [], eps [], rho [],
            P [n,m] (POT's plan), cost [] = <P,C>, f [n], g [m], obj [],
            P_ab [n,m], f_ab [n], g_ab [m], cost_ab [] = <P_ab,C>, obj_ab []
     sk_unb_40x40_rho1e-1   n=m=40,  d=2, a ~ U(0.5,1.5) mass 1, b ~ U(0.5,1.5) mass 1.5, eps=0.05, rho=0.1
     sk_unb_30x64_rho1      n=30, m=64, d=3, a ~ Dirichlet(2) mass 1, b uniform mass 1,    eps=0.1,  rho=1
     sk_unb_64x30_rho10     n=64, m=30, d=2, a uniform mass 1, b ~ U(0.5,1.5) mass 1.5,    eps=0.05, rho=10
     sk_unb_5x40_rho1       n=5,  m=40, d=2, a ~ U(0.5,1.5) mass 1, b ~ Dirichlet(2) mass 1, eps=0.01, rho=1
   f32 variant sk_unb_30x64_rho1_f32: x, y, a, b, C as F32, answers F64 from the unrounded problem
   (metadata f32_input_effect as above, over P, f, g, cost, obj).

3. DEBIASED SINKHORN DIVERGENCE  sk_div_<name>.safetensors
   Point clouds x [n,d], y [m,d], weights a, b (sum 1), cost C = |x - y|^2 NOT rescaled
   (cscale = 1), eps given. With OT_eps(a,b) = sum a f + sum b g (dual value, potentials of the
   balanced problem above with cost |x-y|^2) and W(a,b) = <P_ab, C> (linear cost):
     div_dual = OT_eps(a,b) - OT_eps(a,a)/2 - OT_eps(b,b)/2         (GeomLoss's S_eps; >= 0)
     div_lin  = W(a,b) - W(a,a)/2 - W(b,b)/2                         (POT's definition, unclipped)
     div_pot  = max(0, div_lin)      (POT's definition as its function returns it, at convergence)
     div_pot_call = the value POT's ot.bregman.empirical_sinkhorn_divergence(x, y, eps, a, b,
                    metric='sqeuclidean', numIterMax=100000, stopThr=1e-15) returned. POT 0.8.2
                    IGNORES stopThr there (it passes stopThr=1e-9 to its three sinkhorn2 calls)
                    and clips at 0, so div_pot_call differs from div_pot by up to ~1e-9
                    (asserted < 1e-7; difference in metadata). Test against div_pot.
   The three problems are solved by POT's sinkhorn_log at stopThr 1e-15 and cross-checked with
   this script's numpy log-domain solver (values to 1e-12).
   Gradients of div_dual, from PyTorch autograd (float64) through the dual objective
     D(f,g; x,y,a,b) = sum a f + sum b g - eps sum_ij a_i b_j (exp((f_i+g_j-C_ij)/eps) - 1)
   with the converged potentials detached (envelope theorem: d OT_eps/dx_i = sum_j P_ij 2(x_i-y_j),
   d OT_eps/da_i = f_i), for the three terms (x enters OT(a,a) through both arguments):
     grad_x [n,d], grad_y [m,d]: d div_dual / dx, dy;
     grad_a [n], grad_b [m]: d div_dual / da, db WITH THE MEAN REMOVED (sum grad_a = 0,
       sum grad_b = 0): with sum a = sum b = 1 held fixed only the component tangent to the
       simplex is defined; grad_a = (f_ab - f_aa) - mean(f_ab - f_aa), likewise grad_b.
   All four are checked against central finite differences of div_dual (each coordinate; a and b
   moved along e_i - 1/n) to 1e-6 relative to the tensor's max |entry|.
   tensors: x [n,d], y [m,d], a [n], b [m], C [n,m] (= |x-y|^2), cscale [] (= 1), eps [],
            div_dual [], div_pot [], div_lin [], div_pot_call [],
            ot_ab [], ot_aa [], ot_bb [] (dual values), w_ab [], w_aa [], w_bb [] (<P,C> values),
            f_ab [n], g_ab [m] (normalised), f_aa [n], f_bb [m] (symmetric problems: f = g),
            grad_x [n,d], grad_y [m,d], grad_a [n], grad_b [m]
     sk_div_30x40   n=30, m=40, d=2, a ~ U(0.5,1.5)/sum, b ~ Dirichlet(2), y shifted by (1,0), eps=0.5
     sk_div_64x40   n=64, m=40, d=3, a, b uniform, y shifted by (2,0,0),                    eps=0.1
     sk_div_1x30    n=1,  m=30, d=2, b uniform (grad_a = [0]),                               eps=1.0

4. FIXED-SUPPORT ENTROPIC BARYCENTER  sk_bary_<name>.safetensors
   Histograms on the grid t = 0..n-1, C_ij = (i - j)^2 / (n-1)^2 (max 1), weights w (sum 1):
   bary = argmin_q sum_k w_k OT_eps(q, A_k) as computed by POT's iterative Bregman projections,
   ot.bregman.barycenter(A^T, C, eps, weights=w, method=..., numItermax=2e5, stopThr=1e-15 (scaling)
   / 1e-14 (log)). The IBP fixed point (Benamou et al. 2015), with K = exp(-C/eps):
       u_k = A_k / (K v_k),  bary = prod_k (K^T u_k)^{w_k},  v_k = bary / (K^T u_k),
   normalised by prod_k v_k^{w_k} = 1 (i.e. sum_k w_k log v_k = 0).
   The stored bary is POT's method='sinkhorn_log' (it uses log(A + 1e-15) in place of log A; the
   effect here is < 1e-14), asserted equal to this script's own log-domain IBP to 1e-12.
   POT 0.8.2 QUIRK: method='sinkhorn' (barycenter_sinkhorn) starts from v_k = G / (K A_k-ish) with
   G the UNWEIGHTED geometric mean over k, and its update preserves prod_k v_k^{w_k}; so for
   non-uniform weights it converges to a different, wrong point (differences ~1e-2 here). It agrees
   with sinkhorn_log only for uniform weights. The *_wuni cases (uniform w) assert the two methods
   agree to 1e-12; the others assert they disagree (> 1e-6) and store the sinkhorn_log answer.
   tensors: A [K,n] (row k = histogram k, sums to 1; POT takes A^T), w [K], C [n,n], eps [],
            bary [n]
     sk_bary_n100_k2_eps1e-2_wuni   n=100, K=2, w=(1/2,1/2),        eps=1e-2
     sk_bary_n100_k2_eps1e-3        n=100, K=2, w=(0.3,0.7),        eps=1e-3
     sk_bary_n50_k3_eps1e-2         n=50,  K=3, w=(0.2,0.3,0.5),    eps=1e-2
     sk_bary_n50_k3_eps1e-3_wuni    n=50,  K=3, w=(1/3,1/3,1/3),    eps=1e-3
   Histograms (POT's plot_barycenter_1D style, gauss(n, m, s) = exp(-(t-m)^2/(2 s^2)) normalised):
     h1 = gauss(n, 0.2n, 0.05n); h2 = 0.6 gauss(n, 0.6n, 0.08n) + 0.4 gauss(n, 0.85n, 0.04n);
     h3 = gauss(n, 0.4n, 0.1n); A = (h1, h2[, h3]).

5. FREE-SUPPORT WASSERSTEIN BARYCENTER  sk_free_<name>.safetensors
   POT 0.8.2's ot.lp.free_support_barycenter(Y_list, B_list, X_init, b, w, numItermax, stopThr,
   log=True) (no entropy: exact OT). Its update, from X = X_init, repeated while
   (displacement > stopThr and iterations < numItermax):
       M_k = ot.dist(X, Y_k)        (squared Euclidean, |X_i|^2 + |Y_kj|^2 - 2 X_i.Y_kj, clipped >= 0)
       T_k = ot.emd(b, B_k, M_k)    (exact plan, [k_pts, m])
       X_new = sum_k w_k diag(1/b) T_k Y_k
       displacement = sum_ij (X_new - X)_ij^2   (squared Frobenius norm, NOT its root)
       X = X_new                    (the last update is applied even when it stops)
   niter = the number of updates applied (len of log['displacement_square_norms']).
   This script replays the loop and asserts: the same X (to 1e-13), and that every T_k on the way
   is the UNIQUE optimal plan (nondegenerate basis: k_pts + m - 1 nonzeros, and the arcs of zero
   reduced cost are exactly its support); the smallest positive reduced cost met, relative to
   max M_k, is in metadata "min_reduced_cost_gap" (so any exact solver follows the same path).
   The loop converges in finitely many steps (the plans stop changing, displacement becomes ~1e-30).
   tensors: Y [K,m,2], B [K,m] (each row sums to 1), w [K], X_init [k,2], b [k] (uniform),
            numItermax [], stopThr [], X [k,2], niter [], disp [niter] (displacement per update)
     sk_free_k2_m30   K=2, m=30, k=5 support points,  numItermax=100, stopThr=1e-10
     sk_free_k3_m40   K=3, m=40, k=30 support points, numItermax=100, stopThr=1e-10

6. BIRKHOFF PROJECTION  sk_birkhoff_<name>.safetensors
   L [n,n] = 3 N(0,1), tau: P = diag(e^f) exp(L/tau) diag(e^g), rows and columns summing to 1,
   by log-domain Sinkhorn-Knopp in numpy (f = -lse_j(L_ij/tau + g_j), g = -lse_i(L_ij/tau + f_i))
   until max |row sum - 1| < 1e-14 (columns exact after each g update). f, g normalised so that
   sum f = sum g. G [n,n] ~ N(0,1) an upstream gradient; grad_L = d(sum G*P)/dL, by torch
   autograd (float64) through N unrolled log-domain iterations, N = 2 (iterations to converge)
   + 200, checked against N/2 iterations (same to 1e-12 relative), against central finite
   differences (all entries for n <= 8, 24 random directions for n = 32; 1e-6 relative) and
   against the implicit-function formula
       grad_L = P * (G - alpha 1^T - 1 beta^T) / tau,  where (alpha, beta) solve
       alpha_i + sum_j P_ij beta_j = sum_j P_ij G_ij,  sum_i P_ij alpha_i + beta_j = sum_i P_ij G_ij
   (rows/cols of P sum to 1; the system is singular along (c, -c), which does not change grad_L).
   tensors: L [n,n], tau [], P [n,n], f [n], g [n], G [n,n], grad_L [n,n]
     sk_birkhoff_n4    n=4,  tau=1
     sk_birkhoff_n8    n=8,  tau=0.5
     sk_birkhoff_n32   n=32, tau=1
"""
import hashlib
import json
import os
import struct
import sys
import warnings

import numpy as np
import ot
import torch
from scipy.special import logsumexp

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "transport")
POT_VERSION = ot.__version__
torch.set_default_dtype(torch.float64)
WRITTEN = []

# ----------------------------------------------------------------------------- safetensors


def write_safetensors(name, tensors, meta):
    """tensors: list of (name, array, 'F64' | 'F32'); meta: dict of str -> str."""
    path = os.path.join(OUT, name + ".safetensors")
    items = [t for t in tensors if t[2] == "F64"] + [t for t in tensors if t[2] == "F32"]
    header, blobs, off = {}, [], 0
    for tname, arr, dt in items:
        np_dt = {"F64": "<f8", "F32": "<f4"}[dt]
        # (not np.ascontiguousarray: it turns a rank-0 array into shape [1])
        a = np.array(np.asarray(arr, dtype=np.float64), dtype=np_dt, order="C")
        assert np.all(np.isfinite(a)), (name, tname)
        raw = a.tobytes(order="C")
        header[tname] = {"dtype": dt, "shape": list(a.shape), "data_offsets": [off, off + len(raw)]}
        blobs.append(raw)
        off += len(raw)
    meta = dict(meta)
    meta.update({"pot_version": POT_VERSION, "case": name,
                 "generator": "tests/conformance/gen_transport.py"})
    header["__metadata__"] = {k: str(v) for k, v in meta.items()}
    h = json.dumps(header, separators=(",", ":"), ensure_ascii=True).encode("ascii")
    h += b" " * (-len(h) % 8)
    tmp = path + ".tmp"
    with open(tmp, "wb") as fh:
        fh.write(struct.pack("<Q", len(h)))
        fh.write(h)
        for raw in blobs:
            fh.write(raw)
    os.replace(tmp, path)
    # read back with the independent reader and compare bit for bit
    got, gmeta = read_safetensors(path)
    assert set(got) == {t[0] for t in items}, name
    for tname, arr, dt in items:
        want = np.asarray(arr, dtype=np.float64).astype({"F64": "<f8", "F32": "<f4"}[dt])
        assert got[tname].dtype == want.dtype and got[tname].shape == want.shape, (name, tname)
        assert got[tname].tobytes() == want.tobytes(), (name, tname)
    assert gmeta == header["__metadata__"], name
    WRITTEN.append(os.path.basename(path))
    return path


def read_safetensors(path):
    """A small reader written from the format description, independent of the writer."""
    with open(path, "rb") as fh:
        blob = fh.read()
    (hlen,) = struct.unpack("<Q", blob[:8])
    assert hlen % 8 == 0 and 8 + hlen <= len(blob)
    hdr = json.loads(blob[8:8 + hlen].decode("utf-8"))
    data = blob[8 + hlen:]
    meta = hdr.pop("__metadata__", {})
    assert all(isinstance(v, str) for v in meta.values())
    sizes = {"F64": 8, "F32": 4}
    spans, out = [], {}
    for k, v in hdr.items():
        b0, b1 = v["data_offsets"]
        count = 1
        for s in v["shape"]:
            count *= s
        assert b1 - b0 == count * sizes[v["dtype"]], (path, k)
        spans.append((b0, b1))
        dt = np.dtype("<f8") if v["dtype"] == "F64" else np.dtype("<f4")
        out[k] = np.frombuffer(data[b0:b1], dtype=dt).reshape(v["shape"])
    spans.sort()
    pos = 0
    for b0, b1 in spans:  # contiguous, no overlap, covering the whole data section
        assert b0 == pos, path
        pos = b1
    assert pos == len(data), path
    return out, meta


# ----------------------------------------------------------------------------- helpers


def sqdist(x, y):
    return ((x[:, None, :] - y[None, :, :]) ** 2).sum(-1)


def scaled_cost(x, y):
    D = sqdist(x, y)
    cscale = float(D.max())
    return D / cscale, cscale


def dirichlet(rng, n):
    return rng.dirichlet(np.full(n, 2.0))


def unif_w(rng, n, mass=1.0):
    w = rng.uniform(0.5, 1.5, n)
    return w * (mass / w.sum())


def normalise(f, g, a, b):
    c = (np.dot(b, g) - np.dot(a, f)) / (a.sum() + b.sum())
    return f + c, g - c


def plan(a, b, f, g, C, eps):
    return np.exp(np.log(a)[:, None] + np.log(b)[None, :] + (f[:, None] + g[None, :] - C) / eps)


def kl(p, q):
    p, q = np.asarray(p).ravel(), np.asarray(q).ravel()
    pos = p > 0
    return float(np.sum(p[pos] * np.log(p[pos] / q[pos])) - p.sum() + q.sum())


def relmax(u, v):
    u, v = np.asarray(u, dtype=np.float64), np.asarray(v, dtype=np.float64)
    return float(np.abs(u - v).max() / max(np.abs(v).max(), 1e-300))


def pot(fn, *args, allow=(), **kw):
    """Call POT, returning (result, list of warning messages); fail on unexpected warnings."""
    with warnings.catch_warnings(record=True) as ws:
        warnings.simplefilter("always")
        res = fn(*args, **kw)
    msgs = [str(w.message) for w in ws]
    bad = [m for m in msgs if not any(s in m for s in allow)]
    assert not bad, bad
    return res, msgs


def sk_log(a, b, C, eps, g=None, tol=1e-15, maxit=10 ** 6):
    """Own balanced log-domain Sinkhorn in sinter's convention. Returns f, g, iterations, row err
    (columns are exact after each g update)."""
    la, lb = np.log(a), np.log(b)
    g = np.zeros(len(b)) if g is None else g.copy()
    err = np.inf
    for it in range(1, maxit + 1):
        f = -eps * logsumexp(lb[None, :] + (g[None, :] - C) / eps, axis=1)
        g = -eps * logsumexp(la[:, None] + (f[:, None] - C) / eps, axis=0)
        err = np.abs(plan(a, b, f, g, C, eps).sum(1) - a).max()
        if err < tol:
            break
    return f, g, it, err


def marg_err(P, a, b):
    return float(np.abs(P.sum(1) - a).max()), float(np.abs(P.sum(0) - b).max())


def fmt(v):
    return repr(float(v))


def write_f32_inputs(name, tensors, meta, eff):
    """The case again as NAME_f32, with x, y, a, b, C stored in F32 and the F64 answers of the
    unrounded problem; eff is how much rounding the inputs moves those answers."""
    assert eff < 1e-5, (name, eff)
    m32 = dict(meta, f32_input_effect="%.3e" % eff,
               note="x,y,a,b,C rounded to F32; answers are the F64 answers of the unrounded "
                    "problem")
    t32 = [(k, v, "F32" if k in ("x", "y", "a", "b", "C") else dt) for k, v, dt in tensors]
    write_safetensors(name + "_f32", t32, m32)
    print("%-28s f32 inputs: effect on answers %.1e" % (name + "_f32", eff))


# ----------------------------------------------------------------------------- 1. balanced


def pot_balanced(a, b, C, eps, method, stopThr=1e-15, numItermax=10 ** 5):
    allow = ("overflow encountered in exp",) if method == "sinkhorn_log" else ()
    (P, log), msgs = pot(ot.sinkhorn, a, b, C, eps, method=method, numItermax=numItermax,
                         stopThr=stopThr, log=True, allow=allow)
    if method == "sinkhorn_log":
        # POT's log['u'] = exp(log_u) overflows for small eps (harmless): use log_u, log_v.
        f = eps * (log["log_u"] - np.log(a))
        g = eps * (log["log_v"] - np.log(b))
    else:
        f = eps * np.log(log["u"] / a)
        g = eps * np.log(log["v"] / b)
    f, g = normalise(f, g, a, b)
    return P, f, g, log["niter"], msgs


def balanced_answers(a, b, C, eps, methods, stopThr=1e-15):
    res = {m: pot_balanced(a, b, C, eps, m, stopThr=stopThr) for m in methods}
    P, f, g, niter, _ = res["sinkhorn_log"]
    assert not any("did not converge" in m for m in res["sinkhorn_log"][4]), res["sinkhorn_log"][4]
    agree = 0.0
    if "sinkhorn" in res:
        P2, f2, g2, _, _ = res["sinkhorn"]
        agree = max(np.abs(P - P2).max(), np.abs(f - f2).max() / max(1, np.abs(f).max()),
                    np.abs(g - g2).max() / max(1, np.abs(g).max()))
        assert agree < 1e-9, agree
    cost = float(np.sum(P * C))
    value = float(np.dot(a, f) + np.dot(b, g))
    return P, f, g, cost, value, niter, agree


def balanced_case(rng, name, n, m, d, wa, wb, eps, shift=1.0, scaling=True, epsscale=False,
                  f32=False, check_underflow=False, stopThr=1e-15):
    x = rng.standard_normal((n, d))
    y = rng.standard_normal((m, d)) + shift * np.eye(d)[0]
    a = {"unif": lambda k: np.full(k, 1.0 / k), "dir": lambda k: dirichlet(rng, k),
         "u": lambda k: unif_w(rng, k)}[wa](n)
    b = {"unif": lambda k: np.full(k, 1.0 / k), "dir": lambda k: dirichlet(rng, k),
         "u": lambda k: unif_w(rng, k)}[wb](m)
    C, cscale = scaled_cost(x, y)
    methods = ("sinkhorn", "sinkhorn_log") if scaling else ("sinkhorn_log",)
    P, f, g, cost, value, niter, agree = balanced_answers(a, b, C, eps, methods, stopThr)
    er, ec = marg_err(P, a, b)
    assert er < 1e-11 and ec < 1e-11, (name, er, ec)
    # P from the stored potentials, and the value identity
    assert relmax(plan(a, b, f, g, C, eps), P) < 1e-11, name
    assert abs(np.dot(a, f) - np.dot(b, g)) < 1e-14 * max(1, abs(value))
    ident = abs(value - (cost + eps * kl(P, np.outer(a, b))))
    assert ident < 1e-10, (name, ident)
    # own solver
    fo, go, _, _ = sk_log(a, b, C, eps, tol=1e-15, maxit=300000)
    fo, go = normalise(fo, go, a, b)
    own = max(np.abs(fo - f).max(), np.abs(go - g).max())
    assert own < 1e-10, (name, own)
    meta = {"kind": "balanced", "n": n, "m": m, "d": d, "eps": fmt(eps), "cscale": fmt(cscale),
            "weights_a": wa, "weights_b": wb, "pot_methods": ",".join(methods),
            "pot_niter_sinkhorn_log": niter, "marginal_err_rows": "%.3e" % er,
            "marginal_err_cols": "%.3e" % ec, "methods_agreement": "%.3e" % agree,
            "own_solver_agreement": "%.3e" % own, "value_identity_err": "%.3e" % ident,
            "potential_normalisation": "sum a f = sum b g",
            "stored_from": "POT sinkhorn_log, stopThr=%g" % stopThr}
    extra = ""
    if epsscale:
        (Pe, _), _ = pot(ot.sinkhorn, a, b, C, eps, method="sinkhorn_epsilon_scaling",
                         numItermax=2000, stopThr=1e-28, log=True,
                         allow=("did not converge",))
        es = relmax(Pe, P)
        assert es < 1e-9, (name, es)
        meta["epsilon_scaling_agreement"] = "%.3e" % es
        extra += " eps-scaling %.1e" % es
    if check_underflow:
        K = np.exp(-C / eps)
        zf = float(np.mean(K == 0))
        (Ps, logs), msgs = pot(ot.sinkhorn, a, b, C, eps, method="sinkhorn", numItermax=10000,
                               stopThr=1e-15, log=True, allow=("",))
        with np.errstate(invalid="ignore"):
            se = np.nanmax(np.abs(np.nan_to_num(Ps, nan=np.inf).sum(0) - b))
        meta["K_underflow_fraction"] = "%.4f" % zf
        meta["pot_scaling_form"] = "%s; col marginal err %.3e" % (
            "; ".join(sorted(set(m[:60] for m in msgs))) or "no warning", se)
        assert zf > 0.5
        extra += " K==0 %.0f%% scaling-form err %.1e" % (100 * zf, se)
    tensors = [("x", x, "F64"), ("y", y, "F64"), ("a", a, "F64"), ("b", b, "F64"),
               ("C", C, "F64"), ("cscale", cscale, "F64"), ("eps", eps, "F64"), ("P", P, "F64"),
               ("f", f, "F64"), ("g", g, "F64"), ("cost", cost, "F64"), ("value", value, "F64")]
    write_safetensors(name, tensors, meta)
    print("%-28s %3dx%-3d eps=%-6g marg %.1e/%.1e methods %.1e own %.1e ident %.1e iters %d%s"
          % (name, n, m, eps, er, ec, agree, own, ident, niter, extra))
    if f32:
        x32, y32, a32, b32, C32 = (np.asarray(v, np.float32).astype(np.float64)
                                   for v in (x, y, a, b, C))
        a32, b32 = a32 / a32.sum(), b32 / b32.sum()
        f3, g3, _, e3 = sk_log(a32, b32, C32, eps, g=g, tol=1e-15, maxit=300000)
        f3, g3 = normalise(f3, g3, a32, b32)
        P3 = plan(a32, b32, f3, g3, C32, eps)
        eff = max(relmax(P3, P), relmax(f3, f), relmax(g3, g),
                  relmax(np.sum(P3 * C32), cost),
                  relmax(np.dot(a32, f3) + np.dot(b32, g3), value))
        write_f32_inputs(name, tensors, meta, eff)


# ----------------------------------------------------------------------------- 2. unbalanced


def unb_iter(a, b, C, eps, rho, pot_convention, tol=1e-14, maxit=10 ** 6):
    """Log-domain unbalanced Sinkhorn in sinter's potential convention.
    pot_convention=True: POT's fixed point (entropy relative to 1), else GeomLoss's (a x b)."""
    k = rho / (rho + eps)
    la, lb = np.log(a), np.log(b)
    ca = (eps * eps / (rho + eps)) * la if pot_convention else 0.0
    cb = (eps * eps / (rho + eps)) * lb if pot_convention else 0.0
    f, g = np.zeros(len(a)), np.zeros(len(b))
    for it in range(1, maxit + 1):
        fn = -k * eps * logsumexp(lb[None, :] + (g[None, :] - C) / eps, axis=1) - ca
        gn = -k * eps * logsumexp(la[:, None] + (fn[:, None] - C) / eps, axis=0) - cb
        ch = max(np.abs(fn - f).max(), np.abs(gn - g).max())
        f, g = fn, gn
        if ch < tol:
            break
    assert ch < tol, ("unbalanced iteration did not converge", ch)
    return f, g, it


def unb_primal(P, C, a, b, eps, rho, ref):
    """ref = 'one': POT's E(P); ref = 'ab': GeomLoss's E_ab(P)."""
    ent = kl(P, np.ones_like(P)) if ref == "one" else kl(P, np.outer(a, b))
    return float(np.sum(P * C) + eps * ent + rho * kl(P.sum(1), a) + rho * kl(P.sum(0), b))


def unb_answers(a, b, C, eps, rho):
    (P, log), msgs = pot(ot.unbalanced.sinkhorn_unbalanced, a, b, C, eps, rho, method="sinkhorn",
                         numItermax=10 ** 6, stopThr=1e-15, log=True)
    niter = len(log["err"])
    f, g, it = unb_iter(a, b, C, eps, rho, True)
    Pm = plan(a, b, f, g, C, eps)
    agree = relmax(Pm, P)
    assert agree < 1e-10, agree
    # stationarity of POT's objective at POT's plan
    r, c = P.sum(1), P.sum(0)
    grad = C + eps * np.log(P) + rho * np.log(r / a)[:, None] + rho * np.log(c / b)[None, :]
    gmax = float(np.abs(grad).max())
    assert gmax < 1e-9, gmax
    obj = unb_primal(P, C, a, b, eps, rho, "one")
    dual = float(-rho * np.sum(a * (np.exp(-(f + eps * np.log(a)) / rho) - 1))
                 - rho * np.sum(b * (np.exp(-(g + eps * np.log(b)) / rho) - 1))
                 - eps * np.sum(Pm - 1))
    assert abs(obj - dual) < 1e-10 * max(1, abs(obj)), (obj, dual)
    # equivalence: a x b-relative iteration on C~ = C + eps log a + eps log b
    Ct = C + eps * np.log(a)[:, None] + eps * np.log(b)[None, :]
    ft, gt, _ = unb_iter(a, b, Ct, eps, rho, False)
    equiv = relmax(plan(a, b, ft, gt, Ct, eps), P)
    assert equiv < 1e-10, equiv
    # GeomLoss convention
    fab, gab, _ = unb_iter(a, b, C, eps, rho, False)
    Pab = plan(a, b, fab, gab, C, eps)
    obj_ab = unb_primal(Pab, C, a, b, eps, rho, "ab")
    dual_ab = float(-rho * np.sum(a * (np.exp(-fab / rho) - 1)) - rho * np.sum(b * (np.exp(-gab / rho) - 1))
                    - eps * np.sum(Pab - np.outer(a, b)))
    assert abs(obj_ab - dual_ab) < 1e-10 * max(1, abs(obj_ab)), (obj_ab, dual_ab)
    return dict(P=P, f=f, g=g, obj=obj, Pab=Pab, fab=fab, gab=gab, obj_ab=obj_ab, niter=niter,
                own_iters=it, agree=agree, gmax=gmax, dual_gap=abs(obj - dual), equiv=equiv)


def unbalanced_case(rng, name, n, m, d, wa, ma, wb, mb, eps, rho, f32=False):
    x = rng.standard_normal((n, d))
    y = rng.standard_normal((m, d)) + np.eye(d)[0]
    gen = {"unif": lambda k, s: np.full(k, s / k), "dir": lambda k, s: s * dirichlet(rng, k),
           "u": lambda k, s: unif_w(rng, k, s)}
    a, b = gen[wa](n, ma), gen[wb](m, mb)
    C, cscale = scaled_cost(x, y)
    r = unb_answers(a, b, C, eps, rho)
    cost, cost_ab = float(np.sum(r["P"] * C)), float(np.sum(r["Pab"] * C))
    diff_conv = relmax(r["Pab"], r["P"])
    meta = {"kind": "unbalanced", "n": n, "m": m, "d": d, "eps": fmt(eps), "rho": fmt(rho),
            "cscale": fmt(cscale), "mass_a": fmt(a.sum()), "mass_b": fmt(b.sum()),
            "mass_P": fmt(r["P"].sum()), "mass_P_ab": fmt(r["Pab"].sum()),
            "pot_call": "ot.unbalanced.sinkhorn_unbalanced(a,b,C,eps,rho,method='sinkhorn',"
                        "numItermax=1e6,stopThr=1e-15)",
            "pot_niter": r["niter"], "own_iteration_vs_pot": "%.3e" % r["agree"],
            "kkt_residual": "%.3e" % r["gmax"], "primal_dual_gap": "%.3e" % r["dual_gap"],
            "modified_cost_equivalence": "%.3e" % r["equiv"],
            "P_ab_vs_P": "%.3e" % diff_conv}
    tensors = [("x", x, "F64"), ("y", y, "F64"), ("a", a, "F64"), ("b", b, "F64"),
               ("C", C, "F64"), ("cscale", cscale, "F64"), ("eps", eps, "F64"),
               ("rho", rho, "F64"), ("P", r["P"], "F64"), ("cost", cost, "F64"),
               ("f", r["f"], "F64"), ("g", r["g"], "F64"), ("obj", r["obj"], "F64"),
               ("P_ab", r["Pab"], "F64"), ("f_ab", r["fab"], "F64"), ("g_ab", r["gab"], "F64"),
               ("cost_ab", cost_ab, "F64"), ("obj_ab", r["obj_ab"], "F64")]
    write_safetensors(name, tensors, meta)
    print("%-28s %3dx%-3d eps=%-5g rho=%-4g mass %.3g->%.3g own-vs-POT %.1e kkt %.1e "
          "C~equiv %.1e |P_ab-P| %.1e iters %d/%d"
          % (name, n, m, eps, rho, b.sum(), r["P"].sum(), r["agree"], r["gmax"], r["equiv"],
             diff_conv, r["niter"], r["own_iters"]))
    if f32:
        a32, b32, C32 = (np.asarray(v, np.float32).astype(np.float64) for v in (a, b, C))
        f3, g3, _ = unb_iter(a32, b32, C32, eps, rho, True)
        P3 = plan(a32, b32, f3, g3, C32, eps)
        eff = max(relmax(P3, r["P"]), relmax(f3, r["f"]), relmax(g3, r["g"]),
                  relmax(np.sum(P3 * C32), cost),
                  relmax(unb_primal(P3, C32, a32, b32, eps, rho, "one"), r["obj"]))
        write_f32_inputs(name, tensors, meta, eff)


# ----------------------------------------------------------------------------- 3. divergence


def ot_eps_pot(a, b, C, eps):
    """POT sinkhorn_log to convergence; returns normalised f, g, dual value, <P,C>."""
    P, f, g, niter, msgs = pot_balanced(a, b, C, eps, "sinkhorn_log")
    assert not any("did not converge" in m for m in msgs), msgs
    er, ec = marg_err(P, a, b)
    assert er < 1e-11 and ec < 1e-11, (er, ec)
    return f, g, float(np.dot(a, f) + np.dot(b, g)), float(np.sum(P * C))


def sym_log(a, C, eps, f=None, maxit=10 ** 5):
    """Own symmetric log-domain Sinkhorn for OT(a,a) (GeomLoss's averaged update
    f <- (f + T(f))/2, T(f)_i = -eps lse_j(log a_j + (f_j - C_ij)/eps)): plain alternating
    Sinkhorn (POT's) converges very slowly on these symmetric problems."""
    la = np.log(a)
    f = np.zeros(len(a)) if f is None else f.copy()
    for it in range(1, maxit + 1):
        fn = 0.5 * (f - eps * logsumexp(la[None, :] + (f[None, :] - C) / eps, axis=1))
        ch = np.abs(fn - f).max()
        f = fn
        if ch <= 1e-15 * max(1.0, np.abs(f).max()):
            break
    err = np.abs(plan(a, a, f, f, C, eps).sum(1) - a).max()
    assert err < 1e-13, err
    return f, it, err


def ot_eps_sym(a, C, eps):
    f, it, err = sym_log(a, C, eps)
    P = plan(a, a, f, f, C, eps)
    return f, float(2 * np.dot(a, f)), float(np.sum(P * C)), it, err


def div_dual_np(x, y, a, b, eps, warm):
    """div_dual by the own solvers, warm-started from warm = (g_ab, f_aa, f_bb)."""
    f, g, _, err = sk_log(a, b, sqdist(x, y), eps, g=warm[0], tol=1e-14,
                          maxit=100000)
    faa = sym_log(a, sqdist(x, x), eps, f=warm[1])[0]
    fbb = sym_log(b, sqdist(y, y), eps, f=warm[2])[0]
    return np.dot(a, f) + np.dot(b, g) - np.dot(a, faa) - np.dot(b, fbb)


def dual_torch(xs, ys, as_, bs, f, g, eps):
    C = ((xs[:, None, :] - ys[None, :, :]) ** 2).sum(-1)
    E = torch.exp((f[:, None] + g[None, :] - C) / eps) - 1
    return (as_ * f).sum() + (bs * g).sum() - eps * (as_[:, None] * bs[None, :] * E).sum()


def divergence_case(rng, name, n, m, d, wa, wb, eps, shift):
    x = rng.standard_normal((n, d))
    y = rng.standard_normal((m, d)) + shift * np.eye(d)[0]
    gen = {"unif": lambda k: np.full(k, 1.0 / k), "dir": lambda k: dirichlet(rng, k),
           "u": lambda k: unif_w(rng, k)}
    a, b = gen[wa](n), gen[wb](m)
    Cab, Caa, Cbb = sqdist(x, y), sqdist(x, x), sqdist(y, y)
    fab, gab, ot_ab, w_ab = ot_eps_pot(a, b, Cab, eps)
    faa, ot_aa, w_aa, it_aa, er_aa = ot_eps_sym(a, Caa, eps)
    fbb, ot_bb, w_bb, it_bb, er_bb = ot_eps_sym(b, Cbb, eps)
    gaa, gbb = faa, fbb
    div_dual = ot_ab - 0.5 * ot_aa - 0.5 * ot_bb
    div_lin = w_ab - 0.5 * w_aa - 0.5 * w_bb
    div_pot = max(0.0, div_lin)
    warm = (gab, faa, fbb)
    own = div_dual_np(x, y, a, b, eps, warm)
    assert abs(own - div_dual) < 1e-12 * max(1, abs(div_dual)), (own, div_dual)
    call, msgs = pot(ot.bregman.empirical_sinkhorn_divergence, x, y, eps, a, b,
                     metric="sqeuclidean", numIterMax=100000, stopThr=1e-15,
                     allow=("did not converge",))
    call = float(call)
    assert abs(call - div_pot) < 1e-6 * max(1, abs(div_pot)), (call, div_pot)
    # torch autograd through the dual objective, potentials detached
    X = torch.tensor(x, requires_grad=True)
    Y = torch.tensor(y, requires_grad=True)
    A = torch.tensor(a, requires_grad=True)
    B = torch.tensor(b, requires_grad=True)
    T = torch.tensor
    S = (dual_torch(X, Y, A, B, T(fab), T(gab), eps)
         - 0.5 * dual_torch(X, X, A, A, T(faa), T(gaa), eps)
         - 0.5 * dual_torch(Y, Y, B, B, T(fbb), T(gbb), eps))
    assert abs(S.item() - div_dual) < 1e-12 * max(1, abs(div_dual))
    S.backward()
    gx, gy = X.grad.numpy().copy(), Y.grad.numpy().copy()
    ga, gb = A.grad.numpy().copy(), B.grad.numpy().copy()
    ga -= ga.mean()
    gb -= gb.mean()
    # closed forms
    assert np.abs(ga - ((fab - faa) - (fab - faa).mean())).max() < 1e-10
    assert np.abs(gb - ((gab - gbb) - (gab - gbb).mean())).max() < 1e-10
    # central finite differences, every coordinate
    fd_err = {}
    for tname, arr, grad, h in (("x", x, gx, 1e-5), ("y", y, gy, 1e-5),
                                ("a", a, ga, 1e-6 / n), ("b", b, gb, 1e-6 / m)):
        fd = np.zeros_like(grad)
        for idx in np.ndindex(arr.shape):
            if tname in ("a", "b"):
                if len(arr) == 1:
                    continue
                e = -np.full(len(arr), 1.0 / len(arr))
                e[idx] += 1.0
            else:
                e = np.zeros_like(arr)
                e[idx] = 1.0
            vals = []
            for s in (1, -1):
                args = {"x": x, "y": y, "a": a, "b": b}
                args[tname] = arr + s * h * e
                vals.append(div_dual_np(args["x"], args["y"], args["a"], args["b"], eps, warm))
            fd[idx] = (vals[0] - vals[1]) / (2 * h)
        scale = max(np.abs(grad).max(), 1e-300)
        fd_err[tname] = float(np.abs(fd - grad).max() / scale) if np.abs(grad).max() > 0 else \
            float(np.abs(fd).max())
        assert fd_err[tname] < 1e-6, (name, tname, fd_err[tname])
    meta = {"kind": "divergence", "n": n, "m": m, "d": d, "eps": fmt(eps), "cscale": "1",
            "weights_a": wa, "weights_b": wb,
            "pot_call": "ot.bregman.empirical_sinkhorn_divergence(x,y,eps,a,b,metric='sqeuclidean',"
                        "numIterMax=100000,stopThr=1e-15) [POT uses stopThr=1e-9 internally]",
            "div_pot_call_minus_div_pot": "%.3e" % (call - div_pot),
            "pot_call_warnings": "; ".join(sorted(set(m[:40] for m in msgs))) or "none",
            "ab_term": "POT sinkhorn_log, stopThr=1e-15",
            "self_terms": "own symmetric log-domain Sinkhorn (averaged update), iterations "
                          "%d/%d, marginal err %.1e/%.1e" % (it_aa, it_bb, er_aa, er_bb),
            "fd_rel_err": ",".join("%s:%.1e" % kv for kv in fd_err.items()),
            "grad_weights_gauge": "mean removed (sum grad_a = sum grad_b = 0)",
            "potential_normalisation": "sum a f = sum b g"}
    tensors = [("x", x, "F64"), ("y", y, "F64"), ("a", a, "F64"), ("b", b, "F64"),
               ("C", Cab, "F64"), ("cscale", 1.0, "F64"), ("eps", eps, "F64"),
               ("div_dual", div_dual, "F64"), ("div_pot", div_pot, "F64"),
               ("div_lin", div_lin, "F64"), ("div_pot_call", call, "F64"),
               ("ot_ab", ot_ab, "F64"), ("ot_aa", ot_aa, "F64"), ("ot_bb", ot_bb, "F64"),
               ("w_ab", w_ab, "F64"), ("w_aa", w_aa, "F64"), ("w_bb", w_bb, "F64"),
               ("f_ab", fab, "F64"), ("g_ab", gab, "F64"), ("f_aa", faa, "F64"),
               ("f_bb", fbb, "F64"), ("grad_x", gx, "F64"), ("grad_y", gy, "F64"),
               ("grad_a", ga, "F64"), ("grad_b", gb, "F64")]
    write_safetensors(name, tensors, meta)
    print("%-28s %3dx%-3d eps=%-5g div_dual %.6g div_pot %.6g (POT call %+.1e) fd %s"
          % (name, n, m, eps, div_dual, div_pot, call - div_pot,
             " ".join("%s %.0e" % kv for kv in fd_err.items())))


# ----------------------------------------------------------------------------- 4. barycenter


def gauss(n, mu, s):
    t = np.arange(n, dtype=np.float64)
    h = np.exp(-(t - mu) ** 2 / (2 * s * s))
    return h / h.sum()


def ibp_log(A, C, eps, w, tol=1e-15, maxit=10 ** 6):
    """Own log-domain IBP; A [n, K] columns. Returns the barycenter and iterations."""
    n, K = A.shape
    lA, Mr, G = np.log(A), -C / eps, np.zeros((n, K))
    prev = None
    for it in range(1, maxit + 1):
        lKU = np.empty((n, K))
        for k in range(K):
            f = lA[:, k] - logsumexp(Mr + G[None, :, k], axis=1)
            lKU[:, k] = logsumexp(Mr + f[:, None], axis=0)
        lb = lKU @ w
        G = lb[:, None] - lKU
        bary = np.exp(lb)
        if prev is not None and np.abs(bary - prev).max() < tol:
            break
        prev = bary
    return bary, it


def barycenter_case(name, n, K, eps, w):
    w = np.asarray(w, dtype=np.float64)
    h = [gauss(n, 0.2 * n, 0.05 * n),
         0.6 * gauss(n, 0.6 * n, 0.08 * n) + 0.4 * gauss(n, 0.85 * n, 0.04 * n),
         gauss(n, 0.4 * n, 0.1 * n)][:K]
    A = np.array(h)  # [K, n]
    t = np.arange(n, dtype=np.float64)
    C = (t[:, None] - t[None, :]) ** 2 / float((n - 1) ** 2)
    (q_log, log_l), _ = pot(ot.bregman.barycenter, A.T, C, eps, weights=w, method="sinkhorn_log",
                            numItermax=200000, stopThr=1e-14, log=True)
    (q_sc, log_s), _ = pot(ot.bregman.barycenter, A.T, C, eps, weights=w, method="sinkhorn",
                           numItermax=200000, stopThr=1e-15, log=True)
    q_own, it = ibp_log(A.T, C, eps, w)
    own = relmax(q_log, q_own)
    assert own < 1e-12, (name, own)
    methods = relmax(q_sc, q_log)
    uniform = np.allclose(w, w[0])
    if uniform:
        assert methods < 1e-12, (name, methods)
    else:
        assert methods > 1e-6, (name, methods)
    meta = {"kind": "barycenter", "n": n, "K": K, "eps": fmt(eps),
            "w": ",".join(fmt(v) for v in w),
            "pot_call": "ot.bregman.barycenter(A.T,C,eps,weights=w,method='sinkhorn_log',"
                        "numItermax=200000,stopThr=1e-14)",
            "pot_niter_log": log_l["niter"], "pot_niter_scaling": log_s["niter"],
            "own_ibp_vs_pot_log": "%.3e" % own,
            "pot_scaling_vs_log": "%.3e%s" % (methods, "" if uniform else
                                              " (POT 0.8.2 barycenter_sinkhorn is wrong for "
                                              "non-uniform weights; stored: sinkhorn_log)"),
            "bary_sum": fmt(q_log.sum())}
    tensors = [("A", A, "F64"), ("w", w, "F64"), ("C", C, "F64"), ("eps", eps, "F64"),
               ("bary", q_log, "F64")]
    write_safetensors(name, tensors, meta)
    print("%-28s n=%d K=%d eps=%-6g own-IBP %.1e scaling-vs-log %.1e%s iters %d/%d/%d"
          % (name, n, K, eps, own, methods, "" if uniform else " (POT bug, expected)",
             log_l["niter"], log_s["niter"], it))


# ----------------------------------------------------------------------------- 5. free support


def emd_unique_gap(a, b, M, T):
    """True if T is the unique optimal plan (nondegenerate basis whose tight arcs are its
    support); also the smallest positive reduced cost relative to max M."""
    G, log = ot.emd(a, b, M, numItermax=10 ** 7, log=True)
    assert np.array_equal(G, T)
    rc = M - log["u"][:, None] - log["v"][None, :]
    scale = max(1.0, M.max())
    tight = np.abs(rc) <= 1e-10 * scale
    nz = G > 0
    unique = (nz.sum() == len(a) + len(b) - 1 and np.array_equal(tight, nz))
    gap = float(rc[~tight].min() / M.max()) if (~tight).any() else np.inf
    return unique, gap


def free_support_case(rng, name, K, m, k, numItermax, stopThr):
    Y = np.array([rng.standard_normal((m, 2)) * rng.uniform(0.5, 1.5) + rng.uniform(-3, 3, 2)
                  for _ in range(K)])
    B = np.array([unif_w(rng, m) for _ in range(K)])
    w = unif_w(rng, K)
    X0 = rng.standard_normal((k, 2))
    b = np.full(k, 1.0 / k)
    (X, log), _ = pot(ot.lp.free_support_barycenter, list(Y), list(B), X0, b, w,
                      numItermax=numItermax, stopThr=stopThr, log=True)
    disp = np.array(log["displacement_square_norms"], dtype=np.float64)
    niter = len(disp)
    # replay, checking each exact plan is unique
    Xr, gap, allu = X0.copy(), np.inf, True
    for it in range(niter):
        Tsum = np.zeros((k, 2))
        for Yk, Bk, wk in zip(Y, B, w):
            Mk = ot.dist(Xr, Yk)
            Tk = ot.emd(b, Bk, Mk)
            u, gp = emd_unique_gap(b, Bk, Mk, Tk)
            allu &= u
            gap = min(gap, gp)
            Tsum = Tsum + wk * (1.0 / b)[:, None] * (Tk @ Yk)
        dd = np.sum((Tsum - Xr) ** 2)
        assert abs(dd - disp[it]) <= 1e-12 * max(1, disp[it]), (it, dd, disp[it])
        Xr = Tsum
    assert allu, name
    rep = float(np.abs(Xr - X).max())
    assert rep < 1e-13, rep
    assert disp[-1] <= stopThr and niter < numItermax
    meta = {"kind": "free_support_barycenter", "K": K, "m": m, "k": k, "d": 2,
            "numItermax": numItermax, "stopThr": fmt(stopThr), "niter": niter,
            "pot_call": "ot.lp.free_support_barycenter(list(Y),list(B),X_init,b,w,"
                        "numItermax,stopThr,log=True)",
            "all_plans_unique": str(allu), "min_reduced_cost_gap": "%.3e" % gap,
            "replay_err": "%.3e" % rep}
    tensors = [("Y", Y, "F64"), ("B", B, "F64"), ("w", w, "F64"), ("X_init", X0, "F64"),
               ("b", b, "F64"), ("numItermax", float(numItermax), "F64"),
               ("stopThr", stopThr, "F64"), ("X", X, "F64"), ("niter", float(niter), "F64"),
               ("disp", disp, "F64")]
    write_safetensors(name, tensors, meta)
    print("%-28s K=%d m=%d k=%d niter %d last disp %.1e plans unique %s gap %.1e replay %.1e"
          % (name, K, m, k, niter, disp[-1], allu, gap, rep))


# ----------------------------------------------------------------------------- 6. Birkhoff


def birkhoff_np(L, tau, tol=1e-14, maxit=10 ** 6, extra=0):
    """Log-domain Sinkhorn-Knopp until max |row sum - 1| < tol, then `extra` more sweeps."""
    S = L / tau
    f, g = np.zeros(len(L)), np.zeros(len(L))
    left = None
    for it in range(1, maxit + 1):
        f = -logsumexp(S + g[None, :], axis=1)
        g = -logsumexp(S + f[:, None], axis=0)
        if left is None:
            P = np.exp(S + f[:, None] + g[None, :])
            err = np.abs(P.sum(1) - 1).max()
            if err < tol:
                left = extra
        if left is not None:
            if left == 0:
                break
            left -= 1
    assert err < tol, err
    P = np.exp(S + f[:, None] + g[None, :])
    return P, f, g, it


def birkhoff_torch_vjp(L, G, tau, iters):
    Lt = torch.tensor(L, requires_grad=True)
    S = Lt / tau
    f = torch.zeros(len(L))
    g = torch.zeros(len(L))
    for _ in range(iters):
        f = -torch.logsumexp(S + g[None, :], dim=1)
        g = -torch.logsumexp(S + f[:, None], dim=0)
    P = torch.exp(S + f[:, None] + g[None, :])
    (P * torch.tensor(G)).sum().backward()
    return Lt.grad.numpy().copy()


def birkhoff_implicit(P, G, tau):
    n = len(P)
    PG = P * G
    Msys = np.block([[np.diag(P.sum(1)), P], [P.T, np.diag(P.sum(0))]])
    rhs = np.concatenate([PG.sum(1), PG.sum(0)])
    sol = np.linalg.lstsq(Msys, rhs, rcond=None)[0]
    return P * (G - sol[:n, None] - sol[None, n:]) / tau


def birkhoff_case(rng, name, n, tau):
    L = 3.0 * rng.standard_normal((n, n))
    G = rng.standard_normal((n, n))
    P, f, g, it = birkhoff_np(L, tau)
    c = (g.sum() - f.sum()) / (2 * n)
    f, g = f + c, g - c
    er = max(np.abs(P.sum(1) - 1).max(), np.abs(P.sum(0) - 1).max())
    N = 2 * it + 200
    vjp = birkhoff_torch_vjp(L, G, tau, N)
    vjp_half = birkhoff_torch_vjp(L, G, tau, N // 2)
    unroll = relmax(vjp_half, vjp)
    assert unroll < 1e-12, (name, unroll)
    impl = relmax(birkhoff_implicit(P, G, tau), vjp)
    assert impl < 1e-10, (name, impl)

    def loss(Lp):
        return float(np.sum(G * birkhoff_np(Lp, tau, extra=100)[0]))

    h = 1e-5
    if n <= 8:
        dirs = [np.eye(n * n)[i].reshape(n, n) for i in range(n * n)]
    else:
        dirs = [rng.standard_normal((n, n)) for _ in range(24)]
    fd_err = 0.0
    scale = np.abs(vjp).max()
    for D in dirs:
        fd = (loss(L + h * D) - loss(L - h * D)) / (2 * h)
        fd_err = max(fd_err, abs(fd - np.sum(vjp * D)) / (scale * max(1.0, np.abs(D).sum() / n)))
    assert fd_err < 1e-6, (name, fd_err)
    meta = {"kind": "birkhoff", "n": n, "tau": fmt(tau), "np_iters": it,
            "marginal_err": "%.3e" % er, "torch_unrolled_iters": N,
            "unroll_N_vs_N/2": "%.3e" % unroll, "implicit_vs_torch": "%.3e" % impl,
            "fd_rel_err": "%.3e" % fd_err, "potential_normalisation": "sum f = sum g"}
    tensors = [("L", L, "F64"), ("tau", tau, "F64"), ("P", P, "F64"), ("f", f, "F64"),
               ("g", g, "F64"), ("G", G, "F64"), ("grad_L", vjp, "F64")]
    write_safetensors(name, tensors, meta)
    print("%-28s n=%d tau=%g marg %.1e iters %d unroll %.1e implicit %.1e fd %.1e"
          % (name, n, tau, er, it, unroll, impl, fd_err))


# ----------------------------------------------------------------------------- main


def main():
    os.makedirs(OUT, exist_ok=True)
    print("POT %s, numpy %s, torch %s" % (POT_VERSION, np.__version__, torch.__version__))
    assert POT_VERSION == "0.8.2", POT_VERSION
    print("-- balanced")
    balanced_case(np.random.default_rng(101), "sk_square40", 40, 40, 2, "unif", "unif", 0.1,
                  epsscale=True, f32=True)
    balanced_case(np.random.default_rng(102), "sk_rect30x64", 30, 64, 3, "dir", "u", 0.05,
                  epsscale=True, f32=True)
    balanced_case(np.random.default_rng(103), "sk_rect100x40", 100, 40, 2, "u", "unif", 0.01)
    balanced_case(np.random.default_rng(104), "sk_wide5x200", 5, 200, 3, "dir", "dir", 0.01)
    balanced_case(np.random.default_rng(105), "sk_n1", 1, 30, 2, "unif", "u", 0.05)
    balanced_case(np.random.default_rng(106), "sk_m1", 40, 1, 3, "dir", "unif", 0.1)
    balanced_case(np.random.default_rng(107), "sk_eps1e-3", 40, 30, 2, "u", "dir", 1e-3,
                  scaling=False)
    balanced_case(np.random.default_rng(108), "sk_eps1e-4", 30, 40, 3, "u", "unif", 1e-4,
                  scaling=False, check_underflow=True, stopThr=1e-14)
    print("-- unbalanced")
    unbalanced_case(np.random.default_rng(201), "sk_unb_40x40_rho1e-1", 40, 40, 2, "u", 1.0,
                    "u", 1.5, 0.05, 0.1)
    unbalanced_case(np.random.default_rng(202), "sk_unb_30x64_rho1", 30, 64, 3, "dir", 1.0,
                    "unif", 1.0, 0.1, 1.0, f32=True)
    unbalanced_case(np.random.default_rng(203), "sk_unb_64x30_rho10", 64, 30, 2, "unif", 1.0,
                    "u", 1.5, 0.05, 10.0)
    unbalanced_case(np.random.default_rng(204), "sk_unb_5x40_rho1", 5, 40, 2, "u", 1.0,
                    "dir", 1.0, 0.01, 1.0)
    print("-- Sinkhorn divergence")
    divergence_case(np.random.default_rng(301), "sk_div_30x40", 30, 40, 2, "u", "dir", 0.5, 1.0)
    divergence_case(np.random.default_rng(302), "sk_div_64x40", 64, 40, 3, "unif", "unif", 0.1,
                    2.0)
    divergence_case(np.random.default_rng(303), "sk_div_1x30", 1, 30, 2, "unif", "unif", 1.0,
                    1.0)
    print("-- fixed-support barycenter")
    barycenter_case("sk_bary_n100_k2_eps1e-2_wuni", 100, 2, 1e-2, [0.5, 0.5])
    barycenter_case("sk_bary_n100_k2_eps1e-3", 100, 2, 1e-3, [0.3, 0.7])
    barycenter_case("sk_bary_n50_k3_eps1e-2", 50, 3, 1e-2, [0.2, 0.3, 0.5])
    barycenter_case("sk_bary_n50_k3_eps1e-3_wuni", 50, 3, 1e-3, [1 / 3, 1 / 3, 1 / 3])
    print("-- free-support barycenter")
    free_support_case(np.random.default_rng(501), "sk_free_k2_m30", 2, 30, 5, 100, 1e-10)
    free_support_case(np.random.default_rng(502), "sk_free_k3_m40", 3, 40, 30, 100, 1e-10)
    print("-- Birkhoff projection")
    birkhoff_case(np.random.default_rng(601), "sk_birkhoff_n4", 4, 1.0)
    birkhoff_case(np.random.default_rng(602), "sk_birkhoff_n8", 8, 0.5)
    birkhoff_case(np.random.default_rng(603), "sk_birkhoff_n32", 32, 1.0)
    # remove sk_ files this script no longer writes
    for fn in sorted(os.listdir(OUT)):
        if fn.startswith("sk_") and fn not in WRITTEN:
            os.remove(os.path.join(OUT, fn))
            print("removed stale", fn)
    total = sum(os.path.getsize(os.path.join(OUT, fn)) for fn in WRITTEN)
    h = hashlib.sha256()
    for fn in sorted(WRITTEN):
        with open(os.path.join(OUT, fn), "rb") as fh:
            h.update(fn.encode() + b"\0" + fh.read())
    print("%d files, %d bytes, sha256 %s" % (len(WRITTEN), total, h.hexdigest()[:16]))
    assert total < 2 * 1024 * 1024


if __name__ == "__main__":
    sys.exit(main())
