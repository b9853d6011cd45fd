"""The roster domain: calendar, model, slots, rules and the solver. Pure Python, no I/O."""
