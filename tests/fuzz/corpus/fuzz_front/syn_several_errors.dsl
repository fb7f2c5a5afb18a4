let a = (1 +
let b = 2
let c = 3 3
print(b c)
let d = 4
