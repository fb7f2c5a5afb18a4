# exit: 1
# args: --k=5
# topk's k from a program argument is checked when the program runs, at the call.
arg k: i64
let x = [[3.0, 1.0, 2.0, 5.0], [0.5, 4.0, 4.0, -1.0]]
let t = topk(x, k)
print(t.values)
print("not reached")
