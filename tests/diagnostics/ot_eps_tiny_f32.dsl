# In f32 the smallest eps is max |C| 2^-16 (6.9e-5 here): at 1e-38 the solver stops and names it.
let C = f32([[0.5, 1.5, 4.5], [1.5, 0.5, 1.5], [4.5, 1.5, 0.5]])
print(sinkhorn_log(uniform(3), uniform(3), C, 1e-38).cost)
