from datetime import UTC, datetime

WHEN = datetime(2025, 3, 4, 15, 0, tzinfo=UTC)
