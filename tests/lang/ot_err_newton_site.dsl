# exit: 1
# A run-time error from the runtime's part of a stdlib solver (here the Newton stage of
# sinkhorn_newton, whose weights must sum to 1 within 1.5e-7) points at the user's call, not
# into stdlib/transport.dsl.
let C = [[0.5, 1.5], [1.5, 0.5]]
let w = f32([0.5, 0.50001])
print(sinkhorn_newton(w, w, C, 0.1, tol=1e-3).cost)
