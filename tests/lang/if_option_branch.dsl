# modes: jit interp
# An `if` on a string option known when compiling compiles only the branch taken: the branches
# may have different types, and the other branch is not compiled (so it may call what does not
# fit these arguments).
fn pick(x, how = "double") = if how == "double" then x * 2 else undefined_thing(x)
fn shape_of(x, how = "vector") = if how == "sum" or how == "total" then sum(x) else x
print(pick(3.0), pick([1.0, 2.0]))
print(shape_of([1.0, 2.0]), shape_of([1.0, 2.0], how="total"))
