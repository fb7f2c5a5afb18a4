# exit: 2
# args: --k=3 --k=4
arg k: i32 = 1
print(k)
