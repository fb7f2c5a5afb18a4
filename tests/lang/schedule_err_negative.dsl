# exit: 1
# Only the last sigma may be 0; a 0 before it (or a negative sigma) is refused.
arg sigmas: f64[n] = [3.0, 0.0, -1.0, 0.0]
print(check_sigmas(sigmas))
