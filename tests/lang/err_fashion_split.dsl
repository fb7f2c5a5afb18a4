# exit: 1
let d = fashion_mnist(split="validation")
print(d.y[0])
