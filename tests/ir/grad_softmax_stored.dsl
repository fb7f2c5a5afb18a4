# RUN: --emit=ir:fuse
# The softmax in attention stores its row maxima and denominators [b, h, s] (they are read for
# every key); their adjoints are then stored too, at the same size, instead of kept lazy and
# computed again for every key inside the adjoint of the scores (a sum over the keys at each of
# b h s s points: a third of a transformer step). So the rank-3 tensors stored are four, the
# forward's two and their adjoints.
arg q: f64[b, h, s, d]
arg w: f64[b, h, s, d]
print(grad(fn(q) = sum(attention(q, q, q) * w))(q))
# CHECK-LABEL: func @main
# CHECK-COUNT-4: {{^  %[0-9]+ = compr %[0-9]+, %[0-9]+, %[0-9]+ : tensor<f64 x3>}}
# CHECK: call @sn_print_tensor
