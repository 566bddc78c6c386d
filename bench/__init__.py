"""The benchmark (SPEC section 10): `make bench SCALE=small|medium|large`.

Like the demo and the bootstrap, it may import both the sandbox and the pipeline; nothing of
the pipeline imports it.
"""
