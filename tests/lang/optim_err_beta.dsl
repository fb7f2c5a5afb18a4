# exit: 1
# beta2 = 1 would make Adam's bias correction divide by zero: betas must be in [0, 1).
let opt = adamw(lr=0.01, beta2=1.0)
print(opt.step(1.0, 1.0, opt.init(1.0)).p)
