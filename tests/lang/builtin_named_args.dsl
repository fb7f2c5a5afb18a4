# Builtins take their arguments by position or by name, as functions do, with NumPy's meanings:
# np.arange(10, step=3) is [0, 3, 6, 9], np.arange(start=2, stop=5) [2, 3, 4],
# np.linspace(0, 1, num=3) [0.0, 0.5, 1.0], np.zeros(2, np.float64) [0.0, 0.0].
print(arange(10, step=3), arange(start=2, stop=5), linspace(0, 1, num=3), zeros(2, f64))
print(full(shape=[2], value=7), exp(x=0.0), max(x=[1, 5, 2]), max(1, y=3), size(x=[[1, 2, 3]], axis=1))
print(all(rand([3], 5) == rand([3], seed=5)), cast(x=2.5, dtype=i64))
