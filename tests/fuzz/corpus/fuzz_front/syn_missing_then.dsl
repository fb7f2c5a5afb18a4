let y = if true 1 else 2
