"""Stage 3, writing: every output, staged in outbox/ and published all at once (``outputs``).

``selection`` (選定結果.xlsx), ``plans`` (計画/), ``letters`` (差戻し/, 通知/),
``review_sheet`` (審査票.xlsx), ``form`` (申請用紙.xlsx), on ``xlsx`` helpers; ``write``
calls them.
"""
