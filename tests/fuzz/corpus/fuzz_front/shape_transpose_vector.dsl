print(transpose(zeros(3)))
