# args: --help
# --help lists each argument with its declared type (f32 stays f32, i32 stays i32)
arg n: i32 = 4
arg scale: f32 = 1.5
arg on: bool = false
arg name: str = "x"
arg points: f32[m, 2]
print(n)
