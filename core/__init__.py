"""Core of Anev Bhabinkamtibmas Polres TTU: reading, validating, storing and aggregating the monthly recap.

Nothing in this package imports Streamlit except `core.ui`, so every function can be
called from tests and from the command line (`python -m core`).
"""

__version__ = "0.1.0"
