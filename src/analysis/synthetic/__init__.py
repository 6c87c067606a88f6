"""Made-up cohorts for the demo, the tests and the benchmarks; never real data."""
