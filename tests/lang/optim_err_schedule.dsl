# exit: 1
# a cosine schedule needs steps after its warmup
let opt = sgd(lr=0.1, schedule=lr_cosine(10, warmup=10))
print(opt.step(1.0, 1.0, opt.init(1.0)).p)
