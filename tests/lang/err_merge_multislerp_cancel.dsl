# exit: 1
# Three models whose weighted directions cancel have no mean on the sphere: Multi-SLERP stops
# there (two such models fall back to the linear merge, tests/lang/merge_methods_edge.dsl).
let x = [1.0, 2.0]
print(merge_multislerp(stack(x, -x, x), [0.5, 1.0, 0.5]))
