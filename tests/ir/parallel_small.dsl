# RUN: --emit=llvm
# A loop estimated at fewer than 8 chunks of 65536 instructions runs its chunks in order on the
# calling thread (sn_serial_for); waking the other threads would cost more than they save. A
# float sum's chunks are whole leaves of 256 terms, at least 32768 weighted instructions each
# (sn_sum_chunk's second argument, in leaves), and codegen groups none of them (grain 1). A sum
# over 1000 values is small, one over 10^6 is not, and neither is a sum of sin over 50,000
# values: a libm call counts as 64 instructions.
let a = rand([1000], seed=1, dtype=f64)
let b = randn([1000000], seed=2, dtype=f64)
let c = rand([50000], seed=3, dtype=f64)
print(sum(i) 0.5 * a[i] + 1.0)
print(sum(i) 0.5 * b[i] + 1.0)
print(sum(i) sin(c[i]))
let d[i < 1000] = 0.5 * a[i] + 1.0
print(d)
# CHECK-LABEL: define {{.*}} @sinter_program(
# 4 leaves of 4 instructions a term: one chunk (at least 32 leaves each), run on this thread
# CHECK: call i64 @sn_sum_chunk(i64 4, i64 32)
# CHECK: [[N1:%[0-9]+]] = call i64 @sn_parallel_chunks(i64 %{{[0-9]+}}, i64 1)
# CHECK-NEXT: [[S1:%[0-9]+]] = icmp slt i64 [[N1]], 8
# CHECK-NEXT: select i1 [[S1]], ptr @sn_serial_for, ptr @sn_parallel_for
# 10^6 values: 3907 leaves in chunks of 32 or more
# CHECK: call i64 @sn_sum_chunk(i64 3907, i64 32)
# CHECK: call i64 @sn_parallel_chunks(i64 %{{[0-9]+}}, i64 1)
# sin counts 64: chunks of one leaf or more (as 4 instructions, 32)
# CHECK: call i64 @sn_sum_chunk(i64 196, i64 1)
# CHECK: call i64 @sn_parallel_chunks(i64 %{{[0-9]+}}, i64 1)
# an elementwise loop of 1000 values (5 instructions each): one chunk of at least 13108 values
# CHECK: call i64 @sn_parallel_chunks(i64 1000, i64 13108)
