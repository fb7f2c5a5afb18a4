print(zeros(3, dtype=3))
