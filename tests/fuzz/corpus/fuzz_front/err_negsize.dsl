# exit: 1
# args: --k=-2
arg k: i64
print(zeros([k, 2]))
