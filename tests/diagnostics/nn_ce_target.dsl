# cross_entropy with a class index out of range is an error when compiling, with the index and
# the number of classes.
let logits = [[1.0, 2.0, 0.5], [0.1, 0.2, 0.3]]
print(cross_entropy(logits, [0, 2]))
print(cross_entropy(logits, [1, 3]))
