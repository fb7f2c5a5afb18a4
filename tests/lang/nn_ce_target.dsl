# cross_entropy with a class index out of range stops with the index and the number of classes.
# exit: 1
let logits = [[1.0, 2.0, 0.5], [0.1, 0.2, 0.3]]
print(cross_entropy(logits, [0, 2]))
print(cross_entropy(logits, [1, 3]))
