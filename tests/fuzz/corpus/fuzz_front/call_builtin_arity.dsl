print(exp(1.0, 2.0))
