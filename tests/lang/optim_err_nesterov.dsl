# exit: 1
# torch.optim.SGD refuses Nesterov without momentum, or with dampening; so does sgd.
let opt = sgd(lr=0.1, momentum=0.9, dampening=0.1, nesterov=true)
print(opt.step(1.0, 1.0, opt.init(1.0)).p)
