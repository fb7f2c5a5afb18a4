# exit: 1
# Weights whose totals differ by more than tol / 2 can never reach err < tol / 2, where the
# iterations stop: the solver said nothing and ran every iteration. Now it stops at the call.
let C = [[0.5, 1.5, 4.5], [1.5, 0.5, 1.5], [4.5, 1.5, 0.5]]
let a = [0.5, 0.5 + 1e-8, 0.0]
print(sinkhorn_log(a, uniform(3), C, 0.1, tol=1e-9).cost)
