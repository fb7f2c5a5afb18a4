let y = if true then 1
