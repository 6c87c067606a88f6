"""Made-up cohorts for the demo, the tests and the benchmarks; never real data.

specs: the cohorts and the true effects; process: the dropout process that draws people,
attendance and activity; writers: the raw files staff would send (generate_cohort); simulate:
the same process straight to model-ready tables (simulation and power studies); chat_formats:
the one writer of WhatsApp lines; deliveries and edge_cohorts: messier and unhappier cohorts.
"""
