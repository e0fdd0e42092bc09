"""Pure Amazon States Language core: validator, paths, intrinsics, interpreter.

Nothing in this package imports Django, sleeps, does I/O or reads the wall clock.
"""
