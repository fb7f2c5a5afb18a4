# exit: 2
arg x: f32[n]
print(x)
