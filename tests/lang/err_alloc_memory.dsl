# exit: 1
# args: --n=70368744177664
# An allocation that fails (2^49 bytes: more than any address space) stops the program at the
# expression that allocates it.
arg n: i64
print(size(zeros(3) + 1.0, 0))
print(zeros(n, dtype=f64) + 1.0)
