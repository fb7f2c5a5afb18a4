# load_idx: a malformed or missing file, a dtype the data does not fit, a declared type of more
# dimensions than the file, a path known only when the program runs.
let a = load_idx("tests/lang/data/bad-magic.idx")
let b = load_idx("tests/lang/data/no_such_file.idx")
let c = load_idx("tests/lang/data/tiny-floats.idx", dtype=i64)
let d: f32[n, h, w, c] = load_idx("tests/lang/data/tiny-images.idx")
let e = load_idx("tests/lang/data/tiny-images.idx", dtype=u8)
let f: f32[n] = load_idx("tests/lang/data/tiny-floats.idx", dtype=f64)
print(a, b, c, d, e, f)
arg path: str = "tests/lang/data/tiny-images.idx"
let g = load_idx(path)
