print(arange(5)[1.0:3])
