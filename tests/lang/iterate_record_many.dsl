# A record state of 512 leaves (256 floats, 256 integers, nested four deep) beside a tensor state: no fixed limit
# Expected values from tests/conformance/gen_seams.py (leaf k: w = k / 16, b = k + 3 after 3 steps).
fn leaf(k) = {w: 0.5 * k, b: k}
fn quad(k) = {a: leaf(k), b: leaf(k + 1), c: leaf(k + 2), d: leaf(k + 3)}
fn quad2(k) = {a: quad(k), b: quad(k + 4), c: quad(k + 8), d: quad(k + 12)}
fn quad3(k) = {a: quad2(k), b: quad2(k + 16), c: quad2(k + 32), d: quad2(k + 48)}
fn quad4(k) = {a: quad3(k), b: quad3(k + 64), c: quad3(k + 128), d: quad3(k + 192)}
fn step(p) = {w: p.w * 0.5, b: p.b + 1}
fn step1(q) = {a: step(q.a), b: step(q.b), c: step(q.c), d: step(q.d)}
fn step2(q) = {a: step1(q.a), b: step1(q.b), c: step1(q.c), d: step1(q.d)}
fn step3(q) = {a: step2(q.a), b: step2(q.b), c: step2(q.c), d: step2(q.d)}
fn step4(q) = {a: step3(q.a), b: step3(q.b), c: step3(q.c), d: step3(q.d)}
fn total(p) = p.w + p.b
fn total1(q) = total(q.a) + total(q.b) + total(q.c) + total(q.d)
fn total2(q) = total1(q.a) + total1(q.b) + total1(q.c) + total1(q.d)
fn total3(q) = total2(q.a) + total2(q.b) + total2(q.c) + total2(q.d)
fn total4(q) = total3(q.a) + total3(q.b) + total3(q.c) + total3(q.d)
let r = iterate p = quad4(0), v = [1.0, 2.0], n = 0 { p = step4(p); v = v * 2; n = n + 1 } max 3
print(total4(r.p), r.v, r.n, r.p.d.d.d.d)
