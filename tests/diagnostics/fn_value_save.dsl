fn sq(x) = x * x
save(sq, "out.safetensors")
