# Muon orthogonalises matrices: a bias goes to its `other` optimizer (AdamW)
let opt = muon()
let b = [1.0, 2.0]
print(opt.step(b, b, opt.init(b)).p)
