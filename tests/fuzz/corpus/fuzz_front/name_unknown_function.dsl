print(sqrtt(2.0))
