# RUN: --emit=ir
# A stdlib solver's loop is named in progress lines as the function the user called, at the
# user's line (it once read "iterate (stdlib/transport.dsl:65)").
let C = [[0.5, 1.5], [1.5, 0.5]]
let r = sinkhorn_log([0.5, 0.5], [0.5, 0.5], C, 0.1)
let t = iterate k = 0 {
  k = k + 1
} until k >= 3 max 5
print(r.cost, t.k)
# CHECK: loop "sinkhorn_log ({{.*}}ot_progress_label.dsl:5)"
# CHECK: loop "iterate ({{.*}}ot_progress_label.dsl:6)"
