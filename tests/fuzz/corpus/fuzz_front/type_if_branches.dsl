let y = if true then 1 else [1, 2]
