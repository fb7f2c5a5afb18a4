# A small CNN on Fashion-MNIST, trained with `train` (stdlib/train.dsl): two 3 x 3 convolutions
# (1 -> 16 -> 32 channels, padding 1) each followed by relu and 2 x 2 max pooling, then a linear
# layer 32 7 7 -> 10; Adam (lr 1e-3) on batches of 64 in a seeded order. Prints the test accuracy
# after each epoch and the seconds per epoch (bench/train_cnn.py is PyTorch's side).
arg epochs: i64 = 2
arg batch: i64 = 64
model CNN() {
  param c1 = Conv2d(1, 16, 3, padding=1)
  param c2 = Conv2d(16, 32, 3, padding=1)
  param head = Linear(32 * 7 * 7, 10)
  fn forward(x: float[n, 784]) {
    let h1 = max_pool2d(relu(c1.forward(reshape(x, [n, 1, 28, 28]))), 2)
    let h2 = max_pool2d(relu(c2.forward(h1)), 2)
    head.forward(reshape(h2, [n, 32 * 7 * 7]))
  }
}
let net = CNN(seed=0)
fn loss(p, x, y) = cross_entropy(p.forward(x), y)
fn accuracy(p, x, y) = mean(f64(argmax(p.forward(x), axis=1) == y))
let t0 = now()
let r = train(net, loss, adam(lr=1e-3), fashion_mnist(split="train"), epochs=epochs, batch_size=batch, seed=0,
              test=fashion_mnist(split="test"), metric=accuracy)
print("seconds per epoch:", (now() - t0) / f64(epochs))
print("test accuracy per epoch:", r.history.metric)
