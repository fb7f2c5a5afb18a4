# `schedule NAME = ...` takes a schedule's record and `sample NAME = ...` a sampler's, as
# `transport` takes a solver's.
schedule ks = sigmas_karras(10, 0.002, 80.0)
sample s = {steps: 3}
