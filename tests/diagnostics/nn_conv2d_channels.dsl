let img = zeros([64, 1, 28, 28])
let W = zeros([32, 3, 3, 3])
print(conv2d(img, W, padding=1))
