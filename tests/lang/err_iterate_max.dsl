# exit: 1
# args: --k=-3
# `max 0` runs the body no times (the initial states, converged false); a negative limit known
# only when the program runs stops it at the limit.
arg k: i64
let none = iterate x = 1.0 { x = x / 2 } until x < 0.1 max 0
print(none.x, none.iterations, none.converged)
let r = iterate x = 1.0 { x = x / 2 } until x < 0.1 max k
print(r.x)
