# A file that is there but malformed is named with what is wrong; only a missing one gets the
# hint to declare its type (and read it only when the program runs).
let a = load("tests/conformance/malformed/np_bad_magic.npy")
let b = load("tests/lang/data/no_such_file.npy")
let c = load("tests/lang/data/flowers.csv")
let d = load_csv("tests/conformance/malformed/csv_not_a_number.csv")
let e = load_csv("tests/lang/data/no_such_file.csv")
print(a, b, c, d, e)
