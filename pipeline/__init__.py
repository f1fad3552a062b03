"""伴走支援事業 selection pipeline: intake → validate → eligibility → score → select → write."""

__version__ = "0.1.0"
