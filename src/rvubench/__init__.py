"""rvubench: price procedure logs on the CMS Physician Fee Schedule and benchmark clinicians."""

__version__ = "0.1.0"
