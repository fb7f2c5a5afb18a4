# RUN: --emit=ir
# A count and a mask over the same range, each stored or reduced in a parallel loop of its own,
# are jammed into one loop (jam.c), which loads x[i] once for both (a merge's threshold counts
# the elements of a task vector and marks those between two bounds). A loop that reads what the
# one before it stores (`next` reads m at i + 1) stays apart. (x is sorted to be a stored tensor:
# loops that load nothing alike are not jammed.)
let x = sort(rand([100000], seed=1))
let above = sum(i) i64(x[i] > 0.75)
let m[i] = x[i] > 0.25 and x[i] < 0.5
let next[i < 100000] = m[(i + 1) % 100000] and x[i] > 0.125
print(above, size(arange(100000)[m], 0), size(arange(100000)[next], 0))
# CHECK: alloc
# CHECK: for parallel {{.*}} : i64
# CHECK: load
# CHECK-NOT: load
# CHECK: store
# CHECK: yield %
# CHECK: alloc
# CHECK: for parallel
# CHECK: load
# CHECK: load
# CHECK: store
