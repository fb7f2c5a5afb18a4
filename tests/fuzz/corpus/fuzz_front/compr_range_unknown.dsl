let a[i] = i * 2
