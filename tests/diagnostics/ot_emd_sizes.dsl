let C = zeros([3, 4], dtype=f64)
print(emd(uniform(3), uniform(5), C).cost)
