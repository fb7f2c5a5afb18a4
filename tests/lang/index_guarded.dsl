# modes: jit interp
# A read under an `if` may use an index whose written range passes the dimension, when the
# condition keeps it inside (a column of zeros after x's): it is checked where it is read, not
# rejected when compiling. Without an `if`, or with `and`, the same holds for what is guarded.
let x = reshape(f64(arange(8)), [4, 2])
let a[i < 4, j < 3] = if j < 2 then x[i, j] else -1.0
print(a)
let b[i < 4, j < 3] = j < 2 and x[i, j] > 2
print(b)
