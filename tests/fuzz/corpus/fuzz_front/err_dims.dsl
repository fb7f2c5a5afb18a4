# exit: 1
# args: --a=[1,2,3] --b=[1,2]
arg a: f64[n]
arg b: f64[m]
print(a + b)
