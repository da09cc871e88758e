"""Domain operations. Plain arguments in, model objects out; they flush, never commit,
and raise the exceptions in :mod:`app.services.errors` when a rule is broken."""
