# the body gives each tensor a new value of its shape; the output is a checkpoint
let m = map a in "tests/conformance/stmap/a/" { sum(a) }
save(m, "merged/")
save(map a in "tests/conformance/stmap/a/" { a }, "merged/", shard_size=1e6)
save(ones(3), "x.npy", shard_size=100)
save(map a in "tests/conformance/stmap/a/" { a }, "x.npy")
save(ones(3), "x.npy", dtype=f32)
