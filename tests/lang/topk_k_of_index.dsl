# topk whose k depends on a reduction's or a comprehension's index: its result is sized by k,
# read from the result itself inside the loop (the loop pass once replaced that size by the
# loop's extent: "IR malformed after loops").
let x = [3.0, 1.0, 2.0]
print(sum(j < 3) topk(x, j + 1).values[0])
let r[j < 3] = sum(topk(x, j + 1).values)
let last[j < 3] = topk(x, j + 1, largest=false).indices[0]
print(r, last)
# the j-th of j + 1 values: each read is checked against its own k (the whole range, 3, was
# compared with every k and the program stopped: "index j runs past the end")
let jth[j < 3] = topk(x, j + 1).indices[j]
print(jth)
