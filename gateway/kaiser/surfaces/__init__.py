"""One module (or small package) per portal surface: its requests, its sync collection step, its table row.

``protocol`` is what the sync engine knows a surface by; ``table`` lists every surface once, in sync order.
"""
