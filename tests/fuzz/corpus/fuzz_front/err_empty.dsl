# exit: 1
# args: --n=0
arg n: i64
print(max(arange(n)))
