"""complaintctl: the customer-complaint procedure in one SQLite ledger."""

__version__ = "0.1.0"
