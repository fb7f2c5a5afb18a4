let ok = [true, false]
check(ok, "not every value is ok")
print(all([1.0, 2.0]))
