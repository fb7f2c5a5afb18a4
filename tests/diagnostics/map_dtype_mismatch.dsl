# a tensor has another dtype in the second checkpoint
let m = map a, b in "tests/conformance/stmap/a/", "tests/conformance/stmap/bad_dtype.safetensors" { a + b }
save(m, "merged/")
