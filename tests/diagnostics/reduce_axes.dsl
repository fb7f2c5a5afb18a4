# axis= of the reductions, var and std, softmax and the scans: bad axes, ddof, dtypes
let x = [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]
print(sum(x, axis=2))
print(mean(x, axis=-3))
print(max(x, axis=[0, 0]))
print(argmax(x, axis=[0, 1]))
print(sum(x, axis=0.5))
let k = 1
print(sum(x, axis=k + size(x, 0)))
print(sum(3.0, axis=0))
print(max(x, x, axis=0))
print(sum(x, axis=0, keepdims=1))
print(var(x, axis=1, ddof=3))
print(std([5.0], ddof=1))
print(var([true, false]))
print(softmax([1, 2, 3]))
print(log_softmax(x, axis=[0, 1]))
print(cumprod([true, false]))
print(cumsum(x, axis=-3))
print(all(x, axis=0))
print(atan2(true, 1.0))
arg a: i64 = 0
print(sum(x, axis=a))
