fn f(x: f32[n]) = x
print(f(zeros([2, 2])))
