let x = 1
let y = if x = 1 then 2 else 3
