# exit: 2
# args: --n=ten
arg n: i64 = 3
print(n)
