# a headerless file is not read with its first row taken for names, and sep is one character
let n = load_csv("tests/lang/data/no_header.csv")
let s = load_csv("tests/lang/data/semicolon.csv", sep=";;")
let h = load_csv("tests/lang/data/semicolon.csv", header=1)
print(n, s, h)
