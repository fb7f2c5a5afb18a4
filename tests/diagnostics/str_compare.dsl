# `if` chooses between two strings only when its condition is known when compiling (strings
# joined with `+` too); `==` compares a program argument when the program runs (tests/lang/str_eq_arg.dsl).
arg path: str = "a.idx"
arg train: bool = true
let b = if train then "train" else "t10k"
print(path + ".gz")
