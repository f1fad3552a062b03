"""What every stage shares: the domain (municipalities, menus), the form and review-sheet
contracts, problems as data, settings, errors, the round's result, timing and processes."""
