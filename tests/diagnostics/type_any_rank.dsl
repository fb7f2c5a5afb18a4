# float[...] takes any rank of its class, but not another class, a string or a record; an
# argument's type must give its rank.
fn relu(x: float[...]) = where(x > 0, x, 0.0)
print(relu(i32([1, 2])))
print(relu({a: 1.0}))
arg data: f32[...]
