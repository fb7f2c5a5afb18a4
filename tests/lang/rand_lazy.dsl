# rand's draws are those the runtime's batched Philox kernel stored before rand was lazy (this
# output was written then), bit for bit, for every shape, dtype and seed here: read lazily (fused
# into the checksums' sums), stored (printed whole), and drawn whole by the runtime (a size known
# when compiling and small). The sizes are multiples of s, known only at run time, except in the
# first line. tests/cli/rand_threads.sh runs it on 1 and 2 threads. A checksum is exact: each
# draw scaled to its integer (f32, bf16, f16: multiples of 2^-24; f64: of 2^-53), reduced,
# weighted by its position.
arg s: i64 = 1
fn check24(u) = sum(i) (i64(f64(u[i]) * 16777216.0) % 1000003) * (i % 7 + 1)
fn check53(u) = sum(i) (i64(u[i] * 9007199254740992.0) % 1000003) * (i % 7 + 1)
print(rand([7], seed=1), check24(rand([13], seed=2)))
print(rand([7 * s], seed=1))
print(rand([3 * s, 5], seed=7))
print(rand([2, 3 * s, 2], seed=-1))
print(rand([5 * s], seed=3, dtype=f64))
print(rand([3, 3 * s], seed=1099511627779, dtype=f64))
print(rand([6 * s], seed=9, dtype=bf16))
print(rand([6 * s], seed=9, dtype=f16))
print(check24(rand([s], seed=0)), check24(rand([13 * s], seed=2)), check24(rand([1000003 * s], seed=5)))
print(check24(flatten(rand([301 * s, 7], seed=6))), check24(flatten(rand([3, 41 * s, 17], seed=4294967297))))
print(check53(rand([s], seed=0, dtype=f64)), check53(rand([999 * s], seed=8, dtype=f64)),
      check53(rand([400001 * s], seed=5, dtype=f64)))
print(check53(flatten(rand([77 * s, 13], seed=12, dtype=f64))))
print(check24(rand([100001 * s], seed=5, dtype=bf16)), check24(rand([100001 * s], seed=5, dtype=f16)))
# the draws a few at a time, at offsets of the counter beyond 2^32 blocks (never stored)
let big = rand([1048576, 1048576], seed=5)
print(big[1000000, 999999], big[1048575, 1048575], big[4096, 3])
let big64 = rand([1048576, 1048576], seed=5, dtype=f64)
print(big64[1000000, 999999], big64[1048575, 1048575])
