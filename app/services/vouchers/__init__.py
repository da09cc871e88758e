"""记账凭证: the accounting vouchers of the payments, reversals and bank batches.

:mod:`.drafting` holds the rule (which accounts, which number, what 摘要) and is called
by the payment, reversal and batch services in their transactions; :mod:`.books` finds
vouchers within an actor's units and lays a year of them out as a spreadsheet.
"""
