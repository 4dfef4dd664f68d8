"""Pre/post learning reports: matching, statistics, items, evaluation, and their renderers.

Everything here is pure computation on plain structs (`inputs.py`) except `queries.py`
(read-only SQL) and the renderers, which only format a finished report.
"""
