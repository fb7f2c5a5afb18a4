# exit: 1
# args: --s=0
# A slice step known only at run time may not be 0.
arg s: i64
let x = [1.0, 2.0, 3.0, 4.0]
print(x[::s])
print("not reached")
