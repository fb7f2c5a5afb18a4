# cmaes's and merge_layers' bad input stops the program (exit 1) with a message that says what to
# change, through the JIT and the interpreter alike: a step size that is not positive, a budget
# below one generation, a population of one, and per-layer weights that do not fit the network.
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
  'merge_layers: t must hold a weight per linear layer, 4 here (the first, 2 between hidden layers and the last), got 2'
