# exit: 2
# args: --scale=1e39
arg scale: f32 = 1.5
print(scale)
