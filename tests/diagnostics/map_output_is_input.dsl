# the output of a map may not be one of its inputs
let m = map a in "tests/conformance/stmap/a/" { 2 * a }
save(m, "tests/conformance/stmap/a/")
