# LAPACK computes in f32 or f64: an f16 matrix is refused (as NumPy and PyTorch on a CPU do).
print(det(f16(eye(2))))
