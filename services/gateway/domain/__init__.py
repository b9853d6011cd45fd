"""The gateway's own rules, as plain functions and values that do no I/O: who an account may be, what a
password must be, when a token still holds, how long a throttled client waits, what a lawyer's page and
notifications say, and when a copy of a roster lawyer replaces another."""
