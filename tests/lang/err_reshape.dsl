# exit: 1
# args: --n=7
# A reshape whose sizes are known only when the program runs is checked then.
arg n: i64
let x = arange(n)
print(reshape(x, [-1, 7]))
print(reshape(x, [2, -1]))
print("not reached")
