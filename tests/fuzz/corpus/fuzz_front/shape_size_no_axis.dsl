print(size(zeros([2, 2])))
