# all and any, whole-tensor and over indices, against NumPy's np.all / np.any (references in
# the comments): all of nothing is true, any of nothing is false.
let v = [3, -1, 4, 0, 5]
let m = [[1.0, 2.0], [0.0, 4.0]]
let e = zeros(0)
print(all(v > -2), any(v < -1), all(v != 0), any(v == 0))        # True False False True
print(all(e > 0), any(e > 0), all(zeros([3, 0]) > 0))            # True False True
print(all(m >= 0), any(m > 3), all(m > 0), any(m > 5))          # True True False False
let rows[i] = all(j) m[i, j] > 0                                 # m.all(axis=1)
let cols[j] = any(i) m[i, j] == 0                                # (m == 0).any(axis=0)
print(rows, cols, all(i < 0) v[i] > 100, any(i < 3) v[i] == 4)  # [T F] [T F] True True
print(any(i) all(j) m[i, j] > 0, all(i, j) m[i, j] < 10)         # True True
let n = 3000000
let big = arange(n)
print(all(big >= 0), all(big < n - 1), any(big == n - 1), any(big > n))  # True False True False
let any = 1
let all = 2
print(any + all)
