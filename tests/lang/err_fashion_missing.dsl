# exit: 1
# A data set that is not installed names the Debian package and `make deps`.
let d = fashion_mnist(dir="/usr/share/datasets/no-such-set")
print(d.y[0])
