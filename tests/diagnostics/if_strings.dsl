arg c: bool = true
print(if c then "yes" else "no")
