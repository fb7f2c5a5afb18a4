# exit: 1
# inv of a singular f32 matrix (row 1 is twice row 0; its elimination is exact) stops at the call.
let A = f32([[4, 2, 1], [8, 4, 2], [1, 1, 1]])
print(inv(A))
