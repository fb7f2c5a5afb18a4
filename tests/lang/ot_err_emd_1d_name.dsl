# exit: 1
# emd_1d's errors once were headed "wasserstein_1d": solver messages use the name called.
print(emd_1d([0.0, 1.0], [0.5, 2.0], p=0.5).cost)
