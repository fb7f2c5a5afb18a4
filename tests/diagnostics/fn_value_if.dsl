let c = true
let f = if c then exp else log
print(f(1.0))
