"""cxmetrics: customer-experience metrics with honest uncertainty.

NPS, CSAT, CES and resolution rate from survey responses, each with its
standard error, interval, n and effective n, computed by the C++ library
(the extension ``cxmetrics._core``) over NumPy arrays without copies.
"""

from ._core import *  # noqa: F401,F403
from ._core import __version__  # noqa: F401
from ._core import ReadResult as _ReadResult
from ._core import SummaryState as _SummaryState
from ._frames import read_to_frame as _read_to_frame
from ._summary import summary_frame as _summary_frame
from ._summary import summary_tables as _summary_tables

_ReadResult.to_frame = _read_to_frame
_SummaryState.tables = _summary_tables
_SummaryState.to_frame = _summary_frame
