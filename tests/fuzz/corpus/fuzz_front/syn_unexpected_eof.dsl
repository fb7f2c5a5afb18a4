fn f(x) {
  let y = x
