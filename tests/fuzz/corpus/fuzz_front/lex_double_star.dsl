let x = 2 ** 3
