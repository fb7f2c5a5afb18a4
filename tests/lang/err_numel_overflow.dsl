# exit: 1
# A size whose product overflows 64 bits is an error, not a wrapped count (it printed 0).
arg n: i64 = 4611686018427387904
print(numel(zeros([n, 0])), numel(ones([n, 1])))
print(numel(ones([n, 4])))
