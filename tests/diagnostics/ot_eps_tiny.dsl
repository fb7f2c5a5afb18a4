# Below the smallest eps an f64 cost resolves (max |C| 2^-45 = 1.28e-13 here) no potentials give
# a plan right to 1%: at eps = 1e-18 the log-domain solver once returned a plan of mass 2.6e-25
# with converged = true. The solvers stop and name the limit.
let C = [[0.5, 1.5, 4.5], [1.5, 0.5, 1.5], [4.5, 1.5, 0.5]]
print(sinkhorn_eps_scaling(uniform(3), uniform(3), C, 1e-300).cost)
