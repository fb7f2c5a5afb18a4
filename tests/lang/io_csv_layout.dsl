# load_csv finds a file's delimiter from its header line (here `;`), or takes sep= (pandas'
# sep); a file without a header is read whole with header=false (pandas' header=None). A path
# given when the program runs is read then, with the same options. The rows printed are the
# files' rows.
arg headerless: str = "tests/lang/data/no_header.csv"
let s = load_csv("tests/lang/data/semicolon.csv")
print(s.x, s.y)
let t = load_csv("tests/lang/data/semicolon.csv", sep=";", label="kind", dtype=f64)
print(t.x[2], t.y)
let n = load_csv("tests/lang/data/no_header.csv", header=false)
print(n.x, n.y, size(n.x, 0))
let r = load_csv(headerless, header=false, sep=",")
print(r.x[2], r.y)
