# exit: 1
# modes: jit interp
# NuSLERP interpolates two models: three stop the program at the call, with how to write it (the
# count is known when compiling, so `sinter build` reports it then, with the same message).
let x = [1.0, 2.0]
print(merge_nuslerp(stack(x, x, x), [0.3, 0.7]))
