print(zeros([-1]))
