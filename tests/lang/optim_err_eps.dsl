# exit: 1
# eps = 0 leaves Adam's denominator free to be 0 where a gradient is; an `arg` is checked as a constant is.
arg eps: f64 = 0.0
let opt = adam(eps=eps)
print(opt.step([1.0, 0.0], [1.0, 0.0], opt.init([1.0, 0.0])).p)
