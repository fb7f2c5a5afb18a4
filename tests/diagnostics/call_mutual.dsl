fn a(x) = b(x) + 1
fn b(x) = a(x) - 1
print(a(1))
