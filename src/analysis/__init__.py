"""Promise II Impact cohort evaluation: cleaning, dropout models and reports.

Data flows one way: raw (data/raw, PII) -> processed (data/processed, pseudonymous)
-> results (reports/<cohort>/results.json) -> reports (HTML, PDF).
"""

__version__ = "0.1.0"
