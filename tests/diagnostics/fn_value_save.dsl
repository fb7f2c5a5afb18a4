fn sq(x) = x * x
save({w: [1.0], f: sq}, "out.safetensors")
