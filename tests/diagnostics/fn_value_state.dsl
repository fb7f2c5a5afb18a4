fn sq(x) = x * x
let r = iterate f = sq { f = f } max 2
