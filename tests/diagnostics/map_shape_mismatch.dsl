# a tensor has another shape in the second checkpoint
let m = map a, b in "tests/conformance/stmap/a/", "tests/conformance/stmap/bad_shape.safetensors" { a + b }
save(m, "merged/")
