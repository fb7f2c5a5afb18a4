print(zeros([3], dtyp=f64))
