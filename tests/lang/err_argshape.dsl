# exit: 2
# args: --x=[[1,2],[3,4]]
arg x: f32[n, 3]
print(sum(x))
