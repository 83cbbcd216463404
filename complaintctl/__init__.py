"""complaintctl: the customer-complaint procedure in one SQLite ledger."""

__version__ = "0.1.0"

import sys as _sys

# A number of more than 4,300 digits typed as a count or a limit: Python's int() refused
# it with a ValueError (a traceback, "unexpected failure"), where it is out of range like
# any other too large (argv bounds what can be typed).
if hasattr(_sys, "set_int_max_str_digits"):
    _sys.set_int_max_str_digits(0)
