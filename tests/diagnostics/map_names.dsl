# one name per checkpoint, each once; a map is written by save, not printed
let m = map a, b in "tests/conformance/stmap/a/" { a }
let n = map a in "tests/conformance/stmap/a/" { a }
print(n)
let k = map a, a in "tests/conformance/stmap/a/", "tests/conformance/stmap/a/" { a }
