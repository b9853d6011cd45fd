"""The subsidy service's use cases: keyword-only functions that take a unit of work, load, call the domain,
write (with an audit record and, for claims, an outbox event) and return plain data. They never commit."""
