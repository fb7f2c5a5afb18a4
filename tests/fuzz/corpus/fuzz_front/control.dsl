# if-expressions, short-circuit logic, records and program arguments.
# args: --n=3 --scale 2.5 --flag --name=hello --pts=[[1,2],[3,4],[5,6]]
arg n: i64 = 10
arg scale: f64 = 1.0
arg flag: bool = false
arg name: str = "world"
arg pts: f32[m, 2]
print(n, scale, flag, name, m)
print(pts * scale)
let sign = if scale > 0 then 1 else -1
let a = if flag then [1.0, 2.0] else [3.0, 4.0]
print(sign, a)
let clipped[i] = if pts[i, 0] > 2 then 2.0 else pts[i, 0]
print(clipped)
# the right side of `and` runs only when needed: no out-of-range read here
let v = [1, 2, 3]
let ok[i] = i > 0 and v[i - 1] < v[i]
print(ok)
let r = {count: n, total: sum(pts), label: name}
print(r, r.total / r.count)
let nested = {inner: {x: 1, y: [1, 2]}, z: true}
print(nested.inner.y, nested)
