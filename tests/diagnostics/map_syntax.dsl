# `in` follows the names a map binds
let j = map a on "tests/conformance/stmap/a/" { a }
