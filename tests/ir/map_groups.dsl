# RUN: --emit=ir
# A map is compiled once per (dtype, rank) that occurs among its checkpoints' tensors, with
# symbolic sizes: tests/conformance/stmap/a/ holds bf16 of ranks 2 and 3, f16 of ranks 1 and 3
# and f32 of ranks 0, 1 and 2, so seven loops, each over its group's tensors. In each, the inputs
# are taken from the mapped files, the body is one parallel loop into the result (written over
# the first input when nothing else holds it: a view of a file does not qualify), the views are
# released and the result is written (put) before the next tensor.
let m = map a, b in "tests/conformance/stmap/a/", "tests/conformance/stmap/b/" { 0.25 * a + 0.75 * b }
save(m, "merged/")
# CHECK-LABEL: func @main
# CHECK: call @sn_map_begin
# CHECK: call @sn_map_start
# CHECK: loop "map f16[1] (
# CHECK: [[A:%[0-9]+]] = call @sn_map_get
# CHECK: [[B:%[0-9]+]] = call @sn_map_get
# CHECK: [[R:%[0-9]+]] = {{alloc|call @sn_tensor_reuse}}
# CHECK: for parallel
# CHECK: release [[B]]
# CHECK: release [[A]]
# CHECK: call @sn_map_put %{{[0-9]+}}, %{{[0-9]+}}, %{{[0-9]+}}, %tensor.{{[0-9]+}}, [[R]]
# CHECK: loop "map f16[3] (
# CHECK: loop "map bf16[2] (
# CHECK: loop "map bf16[3] (
# CHECK: loop "map f32[0] (
# CHECK: loop "map f32[1] (
# CHECK: loop "map f32[2] (
# CHECK-NOT: loop "map
# CHECK: call @sn_map_end
