"""Stage 1, reading: the only stage that opens the files staff and applicants put in inbox/.

``inbox`` lists the entries → ``sniff`` (with ``zipparts``) checks each file before any
parser → ``forms`` finds the fields by label → :mod:`pipeline.core.record` normalises them
(``workers`` runs both in processes with a memory limit); ``register`` reads the receipt
register and ``review_sheets`` the returned review sheets. What it hands over are the plain
records of :mod:`pipeline.core.records`.
"""
