# exit: 1
# modes: jit interp
# A guarded read whose condition lets the index past the dimension stops the program there, with
# the index and the size (tests/lang/index_guarded.dsl has the reads that stay inside).
let x = reshape(f64(arange(8)), [4, 2])
let a[i < 4, j < 3] = if j < 3 then x[i, j] else -1.0
print(a)
