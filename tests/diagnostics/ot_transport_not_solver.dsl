let x = [0.0, 1.0]
transport p = x * 2
