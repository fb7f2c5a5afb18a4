# A user's schedule that rises is refused, naming the first pair out of order; written in the
# program, when compiling.
let mine = check_sigmas([14.6, 7.0, 7.5, 0.3, 0.0])
print(mine)
