"""The column maker: plain rows made a block at a time as numpy columns, then checked by the
validator's own checks on the block (rows that fail are dropped and drawn again).

`runner.py` makes a scenario's blocks (slots, ramp, retries); `objects.py` compiles an object scope to
columns (nested objects, arrays, addresses); `values.py` the leaf columns; `chains.py` order rules;
`checks.py` and `rules.py` the field and rule checks with their block proofs.
"""
