# Fashion-MNIST with an MLP 784-128-10, trained with `train` (stdlib/train.dsl): Adam on batches
# of 128 drawn in a seeded order, the test accuracy after each epoch (above 84% after 3 epochs,
# checked), a checkpoint at each epoch's end (parameters named as PyTorch's nn.Linear layers,
# l1.weight ..., with Adam's state: --resume= continues from one) and the loss and accuracy per
# epoch drawn as a PNG. The data comes from Debian's dataset-fashion-mnist (`make deps`).
arg epochs: i64 = 3
arg checkpoint: str = "build/fashion.safetensors"
arg resume: str = ""
arg curve: str = "build/fashion.png"
let mlp = {l1: {weight: f32(reshape(kaiming_uniform(128, 784, seed=1), [128, 784])), bias: zeros(128)},
           l2: {weight: f32(reshape(kaiming_uniform(10, 128, seed=2), [10, 128])), bias: zeros(10)},
           forward: fn(p, x) = linear(nn_relu(linear(x, p.l1.weight, p.l1.bias)), p.l2.weight, p.l2.bias)}
fn loss(p, x, y) = cross_entropy(p.forward(p, x), y)
fn accuracy(p, x, y) = mean(f64(argmax(p.forward(p, x), axis=1) == y))
let r = train(mlp, loss, adam(lr=1e-3), fashion_mnist(split="train"), epochs=epochs, batch_size=128, seed=0,
              test=fashion_mnist(split="test"), metric=accuracy, checkpoint=checkpoint, resume=resume, curve=curve)
let accuracy = r.history.metric[epochs - 1]
print("epochs:", r.epochs, "steps:", r.step)
print("train loss per epoch:", r.history.loss)
print("test accuracy:", accuracy)
check(epochs < 3 or accuracy >= 0.84, "the MLP reached only {} test accuracy after {} epochs", accuracy, epochs)
