# exit: 1
# A path given when the program runs: the declared sizes are checked against the file then.
arg path: str = "tests/lang/data/tiny-images.idx"
let x: f32[n, 5] = load_idx(path)
print(x)
