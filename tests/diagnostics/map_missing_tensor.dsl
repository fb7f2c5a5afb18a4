# a tensor of one checkpoint is missing from another (both read when compiling), either way round
let m = map a, b in "tests/conformance/stmap/a/", "tests/conformance/stmap/bad_missing.safetensors" { a + b }
save(m, "merged/")
let n = map a, b in "tests/conformance/stmap/bad_missing.safetensors", "tests/conformance/stmap/a/" { a + b }
