"""The operations pages' SQL: the readiness probe's round trip to the database."""

PING = "SELECT 1"
