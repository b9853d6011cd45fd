"""The subsidy domain: money, regions, schemes and calculation, claims and budgets, audit chain, payment batches. No I/O."""
