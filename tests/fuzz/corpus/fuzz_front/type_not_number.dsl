print(not 3)
