# modes: jit interp
# save writes a nested record as dotted tensor names (enc.weight), numbers as tensors of no
# dimensions (an optimizer's step), and skips function fields; load(path, like=template) reads it
# back when the program runs with the template's type, its methods kept, every value the same bits.
arg out: str = "/tmp/sinter-test-checkpoint-nested.safetensors"
let p = {enc: {weight: f32([[1.5, -2.0], [0.25, 3.0]]), bias: f32([0.5, -0.5])},
         dec: {weight: [[1.0, 1.0 / 3.0]]}, step: 7, lr: 0.1, done: true,
         forward: fn(q, x) = q.dec.weight @ tanh(q.enc.weight @ x + q.enc.bias)}
save(p, out)
let back = load(out, like=p)
print(back.enc.weight, back.enc.bias, back.dec.weight, back.step, back.lr, back.done)
print(back.forward(back, [1.0, 2.0]) == p.forward(p, [1.0, 2.0]), back["enc.bias"] == p.enc.bias)
# a number is a tensor of no dimensions of its own type: the template's 7 is i64, 0.1 f64
let flat = load(out, like={enc: {weight: zeros([2, 2]), bias: zeros(2)}, dec: {weight: zeros([1, 2], dtype=f64)},
                           step: i64(0), lr: 0.0, done: false})
print(flat.step + 1, flat.lr * 10, flat.dec.weight[0, 1] * 3)
