# Data sets (docs/training.md, "Data").

# Fashion-MNIST (Xiao, Rasul and Vollgraf, 2017), from the Debian package dataset-fashion-mnist
# (`make deps` installs it): split "train" (60000 images) or "test" (10000). Each 28 x 28 image is
# a row of x, its pixels scaled to [0, 1] (value / 255, as torchvision's ToTensor does); y is its
# class, 0 T-shirt/top, 1 trouser, 2 pullover, 3 dress, 4 coat, 5 sandal, 6 shirt, 7 sneaker,
# 8 bag, 9 ankle boot. `dir` holds the four IDX files (gzipped, as Debian and the authors ship them).
fn fashion_mnist(split = "train", dir = "/usr/share/datasets/fashion-mnist") {
  check(split == "train" or split == "test", "fashion_mnist: split must be \"train\" or \"test\"")
  let stem = dir + "/" + (if split == "train" then "train" else "t10k")
  let x: f32[n, 784] = load_idx(stem + "-images-idx3-ubyte.gz")
  let y: i64[n] = load_idx(stem + "-labels-idx1-ubyte.gz")
  {x: x / 255, y: y}
}
