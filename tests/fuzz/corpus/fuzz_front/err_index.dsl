# exit: 1
# args: --k=5
# An out-of-range subscript stops the program with its location (all three ways alike).
arg k: i64
let v = [1, 2, 3]
print(v[0])
print(v[k - 1])
print("not reached")
