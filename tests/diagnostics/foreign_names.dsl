# NumPy's and PyTorch's names that sinter spells otherwise, or writes as a comprehension: the
# error says what to write (tests/lang/foreign_forms.dsl computes each suggestion).
let A = [[1.0, 2.0], [3.0, 4.0]]
print(clip(A, 0, 2))
print(torch_cat(A))
print(logsumexp(A))
print(trace(A))
print(einsum("ij,jk->ik", A, A))
