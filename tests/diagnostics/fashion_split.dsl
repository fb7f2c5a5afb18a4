let d = fashion_mnist(split="validation")
print(d.y[0])
