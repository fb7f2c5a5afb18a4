let b = true && false
