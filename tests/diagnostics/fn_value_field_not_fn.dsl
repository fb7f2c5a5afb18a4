let opt = {step: 0.1}
print(opt.step(1.0))
