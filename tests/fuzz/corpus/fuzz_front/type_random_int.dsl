print(rand([3], dtype=i32))
