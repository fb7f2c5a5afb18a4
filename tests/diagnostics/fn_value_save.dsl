# A function alone is no checkpoint (a record's function fields, a model's methods, are skipped;
# tests/lang/checkpoint_nested.dsl), and a string field is refused.
fn sq(x) = x * x
save(sq, "out.safetensors")
save({w: [1.0], name: "x"}, "out.safetensors")
