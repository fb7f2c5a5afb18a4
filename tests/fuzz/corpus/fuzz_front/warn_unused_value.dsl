# exit: 0
let x = 1
x + 2
