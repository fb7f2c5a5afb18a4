# cmaes's, mix_layers' and merge_search's bad input stops the program (exit 1) with a message
# that says what to change, through the JIT and the interpreter alike: a step size that is not
# positive, a budget below one generation, a population of one, per-layer weights that do not fit
# the networks and a search over one model.
. tests/cli/helpers.inc
# expect_error EXPR MESSAGE: `let r = EXPR` stops with MESSAGE after the location, both ways
expect_error() {
  printf 'fn f(x) = sum(x^2)\nlet r = %s\nprint(r)\n' "$1" > "$TMP/p.dsl"
  expect_run_error "$TMP/p.dsl" "$2"
}
expect_error 'cmaes(f, zeros(3, dtype=f64), 0.0, 100)' 'cmaes: sigma0 must be positive and finite, got 0.0'
expect_error 'cmaes(f, zeros(3, dtype=f64), 0.5, 5)' 'cmaes: the budget of 5 evaluations is less than one generation of 7'
expect_error 'cmaes(f, zeros(3, dtype=f64), 0.5, 100, popsize=1)' 'cmaes: popsize must be 2 or more, got 1'
expect_error 'merge_layers(mlp_init(2, 4, 3, 2), mlp_init(2, 4, 3, 2), [0.5, 0.5])' \
  'mix_layers: W must be [2, 4], a row per model and a column per linear layer (the first, the hidden ones, the last), got [2, 2]'
expect_error 'merge_search({a: mlp_init(2, 4, 1, 2)}, {x: zeros([3, 2]), y: zeros(3, dtype=i64)}, 100)' \
  'merge_search: models must hold two or more models, got 1'
