"""segtui: a terminal console for CRM segments."""

__version__ = "0.1.0"
