"""Stage 2, deciding: functions on DataFrames, no files read or written.

``validate`` → ``eligibility`` → ``reviews`` (judged and aggregated) → ``score`` →
``select``; ``decide`` calls them in order and gives one 判定 per file.
"""
