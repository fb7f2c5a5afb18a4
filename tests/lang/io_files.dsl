# args: --pts=tests/lang/data/grid.npy
# Files: .npy (C or Fortran order, either byte order), CSV with a label column, safetensors;
# arguments from .npy files; save writes atomically, and a file read is read back exactly.
arg pts: f32[n, 3]
arg out: str = "/tmp/sinter-test-io.safetensors"
arg out_npy: str = "/tmp/sinter-test-io.npy"
let g = load("tests/lang/data/grid.npy")
print(g[1], sum(g), n, sum(pts - g))
print(load("tests/lang/data/fortran.npy"))
print(load("tests/lang/data/counts_be.npy") * 10)
let flowers = load_csv("tests/lang/data/flowers.csv", label=last)
print(flowers.x, flowers.y)
let houses = load_csv("tests/lang/data/houses.csv", label="price", dtype=f64)
print(houses.x, houses.y)
let model = {weight: g * 2, bias: [0.5, -0.5, 1.0]}
save(model, out)
save(g * 2, out_npy)
let back: f32[r, c] = load(out_npy)
print(back[3], r, c, sum(i, j) (back[i, j] - 2 * g[i, j]))
