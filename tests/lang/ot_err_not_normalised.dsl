# exit: 1
let x = [[0.0], [1.0], [2.0]]
let C[i, j] = (x[i, 0] - x[j, 0])^2
let counts = [2.0, 3.0, 5.0]
transport p = sinkhorn(uniform(3), counts, C, eps=0.1)
print(p.cost)
