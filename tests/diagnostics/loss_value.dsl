# a loss must be one real number, or a record whose `value` is one
loss spread(x: f64[n]) = x - mean(x)
loss count(x: f64[n]) = n
loss fitted(x: f64[n]) {
  let r = {cost: sum(x), x: x}
  r
}
loss labelled(x: f64[n]) = {value: argmax(x), x: x}
loss untyped(x) = x * 2
print(untyped([1.0, 2.0]))
