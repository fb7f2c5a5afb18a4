# exit: 0
let x = 1
print(x)
let x = 2
print(x)
