# exit: 1
# args: --k=7
# An element of an index array out of range stops the program with the index as written, the
# size and the location, on every path (a negative index counts from the end only within -size).
arg k: i64
let v = [1.0, 2.0, 3.0, 4.0, 5.0]
let idx = [0, -5, 4]
print(v[idx])
let bad = [1, k, 2]
print(v[bad])
print("not reached")
