# RUN: --emit=llvm
# A loop estimated at fewer than 8 chunks of 65536 instructions runs its chunks in order on the
# calling thread (sn_serial_for); waking the other threads would cost more than they save. An
# elementwise update of 1000 values is small, one of 10^6 is not, and neither is a sum of sin
# over 50,000 values: a libm call counts as 64 instructions.
let a = rand([1000], seed=1, dtype=f64)
let b = rand([1000000], seed=2, dtype=f64)
let c = rand([50000], seed=3, dtype=f64)
print(sum(i) 0.5 * a[i] + 1.0)
print(sum(i) 0.5 * b[i] + 1.0)
print(sum(i) sin(c[i]))
# CHECK-LABEL: define {{.*}} @sinter_program(
# 1000 values of 4 instructions: one chunk (at least 16385 values each)
# CHECK: [[N1:%[0-9]+]] = call i64 @sn_parallel_chunks(i64 1000, i64 16385)
# CHECK-NEXT: [[S1:%[0-9]+]] = icmp slt i64 [[N1]], 8
# CHECK-NEXT: select i1 [[S1]], ptr @sn_serial_for, ptr @sn_parallel_for
# 10^6 values: 62 chunks
# CHECK: call i64 @sn_parallel_chunks(i64 1000000, i64 16385)
# sin counts 64: 979 values a chunk, 52 chunks (as 4 instructions, it was 4 chunks)
# CHECK: call i64 @sn_parallel_chunks(i64 50000, i64 979)
