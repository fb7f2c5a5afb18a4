# topk orders numbers; a bool tensor must be converted first.
let m = [true, false, true]
print(topk(m, 1).indices)
