# sort's axis must be a constant within the tensor's rank.
let x = ones([2, 3])
print(sort(x, axis=2))
