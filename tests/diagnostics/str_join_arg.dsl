arg dir: str = "data/"
let x = load(dir + "x.npy")
