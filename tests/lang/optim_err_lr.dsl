# exit: 1
# A negative learning rate stops the program where the optimizer is made, before any step.
let opt = adam(lr=-0.1)
print(opt.step(1.0, 1.0, opt.init(1.0)).p)
