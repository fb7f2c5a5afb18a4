# modes: jit interp
# Checkpoints to and from PyTorch 1.13 (tests/conformance/gen_checkpoint.py). A state_dict saved
# from torch loads as nested records (enc.weight as net.enc.weight; an nn.Sequential's 0.weight as
# seq["0"].weight) whose forward pass gives torch's outputs; the parameters sinter draws and saves
# were loaded by torch with load_state_dict(strict=True), and torch's outputs with them are sinter's.
# Tolerance: 1e-6 absolute on outputs of size ~1 in f32 (the products are summed in other orders).
arg out: str = "/tmp/sinter-test-checkpoint-torch.safetensors"
let ck = "tests/conformance/checkpoint/"
let net = load(ck + "torch_net.safetensors")
let seq = load(ck + "torch_seq.safetensors")
let io = load(ck + "torch_io.safetensors")
fn forward(p, x) = linear(tanh(linear(x, p.enc.weight, p.enc.bias)), p.dec.weight, p.dec.bias)
let y_seq = linear(tanh(linear(io.x, seq["0"].weight, seq["0"].bias)), seq["2"].weight, seq["2"].bias)
print(max(abs(forward(net, io.x) - io.y_net)) < 1e-6, max(abs(y_seq - io.y_seq)) < 1e-6, seq["2.bias"].shape)
# sinter to torch: the parameters the generator had sinter save, saved again here and read back
# against torch's own state_dict (the same names, shapes and dtypes)
let mine = {enc: {weight: randn([8, 4], seed=11), bias: randn(8, seed=12)},
            dec: {weight: randn([3, 8], seed=13), bias: randn(3, seed=14)}}
save(mine, out)
let back = load(out, like=net)
print(max(abs(forward(back, io.x) - load(ck + "sinter_io.safetensors").y)) < 1e-6, all(back.dec.weight == mine.dec.weight))
