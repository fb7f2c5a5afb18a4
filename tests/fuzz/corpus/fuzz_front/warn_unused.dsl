# exit: 0
let x = 1
let _y = 2
print(3)
