# A negative learning rate is an error when compiling, at the call that makes the optimizer.
let opt = adam(lr=-0.1)
print(opt.step(1.0, 1.0, opt.init(1.0)).p)
