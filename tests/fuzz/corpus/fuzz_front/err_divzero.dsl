# exit: 1
let z = size(arange(3), 0) - 3
print(7 % z)
