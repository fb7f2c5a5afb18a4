# A linear layer whose weight does not fit x, with sizes known only when the program runs (files
# exit: 1
# read then): the error names both arguments and dimensions.
let D = "tests/conformance/nn/"
let x = load(D + "lin_x.npy")
let W = load(D + "mlp_W0.npy")
print(x.shape, W.shape)
print(linear(x, W))
