# A builtin binds its arguments as a function does, with the same messages: a missing argument,
# one given twice, a name it has no parameter for, a value of the wrong type, one too many.
print(linspace(0, 1))
print(zeros(3, shape=4))
print(rand([2], sed=1))
print(rand([2], seed=1.5))
print(now(1))
print(1, sep=" ")
print(check(true, "fine", hnt="x"))
