fn f(x) {
  arg n: i64
  x
}
print(f(1))
