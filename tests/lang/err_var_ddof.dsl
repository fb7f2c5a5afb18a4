# exit: 1
# args: --n=1
# ddof=1 over one value: the divisor n - ddof is 0 (NumPy gives nan with a warning); n is known
# only when the program runs, so the program stops there, at ddof.
arg n: i64
let x = [2.0, 4.0, 9.0]
print(var(x[0:n + 1], ddof=1))
print(std(x[0:n], ddof=1))
