let v = [1, 2,
let w = 3
