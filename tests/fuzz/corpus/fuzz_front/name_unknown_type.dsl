arg n: int = 3
