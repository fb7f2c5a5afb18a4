# `train NAME = ...` takes a training run's record, as `transport` takes a solver's.
train bad = {steps: 3}
