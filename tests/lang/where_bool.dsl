# where of bool branches is bool, broadcast as with numbers (it once promoted its branches as if
# adding them, and `+` is not defined on bool).
let c = [true, false, true]
let a = [true, true, false]
let b = [false, false, true]
print(where(c, a, b), where(c, a, false), where(false, true, b))
let m = where([[true], [false]], a, b)
print(m, m.shape, sum(i64(where(c, a, b))))
