let b = !true
