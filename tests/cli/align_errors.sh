# linear_sum_assignment's and weight_matching's bad input stops the program (exit 1) with a
# message naming the entry or the sizes at fault, through the JIT and the interpreter alike: a NaN
# cost, the infinity of the wrong sign (-inf minimising, +inf maximising), costs whose +inf entries
# leave no complete assignment (rectangular too), networks of different shapes, and a permutation
# of the wrong shape or with a row that is not a permutation.
. tests/cli/helpers.inc
# expect_error EXPR MESSAGE: `let r = EXPR` stops with MESSAGE after the location, both ways
expect_error() {
  printf 'let r = %s\nprint(r)\n' "$1" > "$TMP/p.dsl"
  expect_run_error "$TMP/p.dsl" "$2"
}
expect_error 'linear_sum_assignment([[1.0, 2.0], [nan, 0.0]])' \
  'linear_sum_assignment: C[1, 0] is nan; the costs must be numbers, with inf only to forbid a pair'
expect_error 'linear_sum_assignment([[1.0, -inf], [3.0, 0.0]])' \
  'linear_sum_assignment: C[0, 1] is -inf; the costs must be numbers, with inf only to forbid a pair'
expect_error 'linear_sum_assignment([[1.0, inf], [3.0, 0.0]], maximize=true)' \
  'linear_sum_assignment: C[0, 1] is inf; the costs must be numbers, with -inf only to forbid a pair'
expect_error 'linear_sum_assignment([[1.0, inf, 2.0], [inf, inf, 0.0], [4.0, inf, inf]])' \
  'linear_sum_assignment: no assignment avoids the infinite costs: row 2 cannot be matched with the columns still free'
expect_error 'linear_sum_assignment([[inf, 1.0], [inf, 2.0], [inf, 3.0]])' \
  'linear_sum_assignment: no assignment avoids the infinite costs: column 0 cannot be matched with the rows still free'
expect_error 'weight_matching(mlp_init(3, 8, 2, 2), mlp_init(3, 8, 3, 2))' \
  'weight_matching: the networks differ: a has 2 hidden layers but b has 3'
expect_error 'weight_matching(mlp_init(3, 8, 2, 2), mlp_init(3, 6, 2, 2))' \
  'weight_matching: the networks differ: a has 8 hidden units per layer but b has 6'
expect_error 'permute_mlp(mlp_init(3, 8, 2, 2), zeros([3, 8], dtype=i64))' \
  'permute_mlp: P must be [2, 8] (a row per hidden layer), got [3, 8]'
expect_error 'permute_mlp(mlp_init(3, 4, 2, 2), [[0, 1, 2, 3], [3, 2, 3, 0]])' \
  'permute_mlp: row 1 of P is not a permutation of 0 to 3: 1 appears 0 times'
