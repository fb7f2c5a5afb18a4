# load_idx on small IDX files (written by tests/conformance/gen_fashion.py): u8 images read as
# i64 (the default for integers) and as f32, flattened by a declared type of lower rank, gzipped
# i16 labels, f64 data; strings compared and chosen when compiling, as stdlib's data sets do.
let raw = load_idx("tests/lang/data/tiny-images.idx")
let px = load_idx("tests/lang/data/tiny-images.idx", dtype=f32) / 255
let rows: f64[n, d] = load_idx("tests/lang/data/tiny-images.idx")
let labels = load_idx("tests/lang/data/tiny-labels.idx.gz", dtype=i32)
let floats = load_idx("tests/lang/data/tiny-floats.idx")
print(raw.shape, raw[0], sum(raw))
print(px[0, 0])
print(rows, n, d)
print(labels, floats)
let split = "test"
print(split == "test", split != "test", if split == "train" then "train" else "t10k")
