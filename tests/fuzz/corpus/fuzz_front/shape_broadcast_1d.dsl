let a = [1.0, 2.0, 3.0]
let b = [1.0, 2.0]
print(a + b)
