"""The gateway's use cases: keyword-only functions that take a session (reads) or a unit of work (writes),
load through `adapters/`, apply the rules of `domain/`, and return plain data. They never commit (the caller
that opened the unit of work does) and never speak HTTP (the refusals are `domain.errors`)."""
