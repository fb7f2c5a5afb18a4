# Each unseeded random constructor draws its own stream, in program order (the REPL continues
# them: tests/repl/random_streams.in is this program typed line by line).
let a = randn([3])
let b = randn([3])
print(a)
print(b)
let c = rand([2])
print(c)
fn noise(n) = randn([n])
print(noise(2))
print(noise(2))
