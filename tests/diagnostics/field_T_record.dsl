let r = {w: zeros([2, 3]), b: zeros(3)}
print(r.T)
