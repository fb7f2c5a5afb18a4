let c = 2 > 1
let s = if c then {a: 1.0, b: 2} else {a: 3.0, c: 2}
print(s.a)
