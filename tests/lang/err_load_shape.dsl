# exit: 1
# A declared constant size of a load is checked where the file is read (grid.npy is f32[4, 3])
# and is a constant in the loops that follow (the first sum is 140, from the values 0..11).
let g: f32[n, 3] = load("tests/lang/data/grid.npy")
print(sum(i) sum(k) g[i, k] * f32(k + 1))
let h: f32[n, 4] = load("tests/lang/data/grid.npy")
print(sum(h))
