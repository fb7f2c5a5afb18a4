arg n: i64 = 2 + 3
