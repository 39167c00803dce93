"""The monthly city ↔ county cycle (月度清算): every fen of a month moves through the ledger once.

The accounting, decided (issue 13) — every line carries its scheme's book and the county
it is accounted to (分级核算):

1. collection (归集, `steps/collection.py`): each county's contributions and subsidies of
   the month: income of that county → treasury transit → city fiscal special account, per
   book; an employee collection split over its declaration's components (employer share
   to the pooled book, employee share to the personal-account book, maternity to the
   maternity book), a partial payment in proportion, the remaining fen to the pooled book
   (`split_payment`); money without a declaration waits in the county's suspense account.
   "Of the month" means booked in it (`booking.py`): money recorded after its own month's
   step ran for the county, or after that month closed, is booked in the next month whose
   step has not run — taken in there once, never by a re-run or adjustment of its month.
2. personal accounts (个人账户划入, `steps/accounts.py`): in-service credits from the
   collected employee share, retirees' fixed amount from the pooled book; the sub-ledger
   is swept into the books so the control account agrees with the people's balances.
3. remittance (上解, `steps/remittance.py`): pre-pooling instalments due in the month.
4. disbursement (拨付, `steps/disbursement.py`): per the approved monthly plan, fiscal
   special account → city expenditure account → each county's expenditure account.
5. provider settlement (结算, `steps/providers.py`): per provider and book, less
   deductions and the quality deposit; expense to the insured person's county, payable and
   payment to the provider's handling unit; statements (结算单); 3201/3202 compared.
6. inter-county clearing (县际清算, `steps/clearing.py`).
7. reconciliation and close (`steps/reconcile.py`, `steps/close.py`).

Exactly once: a run per month (unique), steps split into shards recorded as rows; a shard
does its work and marks itself done in one transaction, posting under deterministic keys
(`base.post_desired`). An adjustment run (调整清算) recomputes a closed month and posts only
the differences, dated in the current open month, under keys that refer to the month.
"""
