fn half(x) = x / "two"
print(half(4))
