# exit: 1
# args: --k=-6
# A negative index past the start is reported as written, not wrapped.
arg k: i64
let m = [[1, 2, 3], [4, 5, 6], [7, 8, 9], [10, 11, 12], [13, 14, 15]]
print(m[[k + 1, 0], 1:])
print(m[[0, k], :])
print("not reached")
