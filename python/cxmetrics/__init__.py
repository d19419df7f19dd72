"""cxmetrics: customer-experience metrics with honest uncertainty.

NPS, CSAT, CES and resolution rate from survey responses, each with its
standard error, interval, n and effective n, computed by the C++ library
(the extension ``cxmetrics._core``) over NumPy arrays without copies.
"""

from ._core import *  # noqa: F401,F403
from ._core import __version__  # noqa: F401
from ._core import ReadResult as _ReadResult
from ._frames import read_to_frame as _read_to_frame

_ReadResult.to_frame = _read_to_frame
