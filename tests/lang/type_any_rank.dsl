# float[...]: a parameter of any rank (or a number), for functions generic over ranks.
fn relu(x: float[...]) = where(x > 0, x, 0.0)
fn scale(x: num[...], k: num) = x * k
print(relu([[1.0, -2.0], [3.0, -4.0]]), relu(-1.5), relu([2.5, -1.0]))
print(scale([1, 2, 3], 2), scale(1.5, 2))
