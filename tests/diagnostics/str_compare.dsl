# Strings compare, and `if` chooses between two, only when they are known when compiling.
arg path: str = "a.idx"
arg train: bool = true
let a = path == "a.idx"
let b = if train then "train" else "t10k"
print(a, b)
