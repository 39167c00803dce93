"""The shared kernel: plain Django every app builds on, never DRF, never a page.

regions (the pooling area, handling units, staff) · permissions (roles and what each
may do, in one table) · scoping (which county's rows a user sees, in one place) ·
money (integer fen, the one rounding rule) · errors (business-rule errors in Chinese and
English) · audit (entries for bulk writes) · choices (schemes, categories, levels, roles)
· hooks (what apps offer: home widgets, demo data, import kinds).
"""
