# A function can pass a shape and a dtype it was given on to randn, zeros, full, ...: the shape as
# an integer vector of known length ([n, 2] as written, constant sizes staying constant), the
# dtype as a conversion (f32) or a value whose type to take.
fn noise(shape, dtype = f64, seed: int = 0) = randn(shape, seed=seed, dtype=dtype)
arg n: i64 = 3
let a = noise([2, 2], seed=1)
let typed: f64[2, 2] = a
print(all(typed == randn([2, 2], seed=1, dtype=f64)))
let b = noise([n, 1], dtype=f32, seed=2)
print(b.shape, all(b == randn([n, 1], seed=2)))
let like = noise([4], dtype=b)
print(like.shape, all(like == randn(4, seed=0)))
let s = [2, 3]
print(zeros(s, dtype=i64), full(s, 7.0, dtype=f64).shape)
