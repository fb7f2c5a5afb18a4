# `int` and `float` are classes of a function's parameters; an argument takes one dtype, and a
# later use of the argument is not reported again
arg steps: int
arg x: float[n]
print(steps + 1)
print(x)
