"""Across cohorts and ahead of them: pooled models, power, the simulation study."""
