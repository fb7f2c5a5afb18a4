# exit: 1
# args: --q=1.5
# q outside [0, 1] is an error (NumPy: "Quantiles must be in the range [0, 1]").
arg q: f64
print(quantile([1.0, 2.0, 3.0], 0.5))
print(quantile([1.0, 2.0, 3.0], q))
