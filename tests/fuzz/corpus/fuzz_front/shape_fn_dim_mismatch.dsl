fn f(x: f32[n], y: f32[n]) = x + y
print(f(zeros(2), zeros(3)))
