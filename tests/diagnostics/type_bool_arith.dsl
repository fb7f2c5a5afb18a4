print(true + 1)
