# A declared type reaches load through a call whose argument inlines a function with a typed let
# of its own: that let used to take the outer let's offer of the type away, so load needed the
# file when compiling. The path is a program argument here: only the declared type types it.
arg p: str = "tests/lang/data/grid.npy"
fn same(q) {
  let k: i64 = 1
  q
}
let g: f32[n, 3] = load(same(p))
print(n, g[1])
