let r = {cost: 1, iters: 2}
print(r.cots)
