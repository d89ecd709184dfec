"""Process metrics in Prometheus' text format (deploy/README.md lists them).

Each server process counts its own; a scraper labels them by instance. Counters carry frame
types, error codes and group kinds, never ids or text.
"""

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest

registry = CollectorRegistry(auto_describe=True)

sockets_open = Gauge(
    "consult_sockets_open", "Open websockets in this process", ["route"], registry=registry
)
frames_in = Counter(
    "consult_frames_in_total", "Client frames received, by type", ["type"], registry=registry
)
frames_refused = Counter(
    "consult_frames_refused_total",
    "Client frames refused, by error code",
    ["code"],
    registry=registry,
)
room_deliveries = Counter(
    "consult_room_deliveries_total", "Room frames handed to local sockets", registry=registry
)
posts_acked = Counter(
    "consult_posts_acked_total", "Messages stored and acknowledged", registry=registry
)
publish_failures = Counter(
    "consult_publish_failures_total",
    "Publishes that failed after commit",
    ["kind"],
    registry=registry,
)
hub_gaps_held = Counter(
    "consult_hub_gaps_held_total", "Room frames held waiting for an earlier seq", registry=registry
)
hub_gaps_flushed = Counter(
    "consult_hub_gaps_flushed_total",
    "Holds that gave up waiting for the missing frame",
    registry=registry,
)
hub_gaps_fetched = Counter(
    "consult_hub_gaps_fetched_total",
    "Message frames a room hub read from the database to fill a gap",
    registry=registry,
)
hub_degraded = Counter(
    "consult_hub_degraded_total", "Times this process's room hub lost Redis", registry=registry
)
database_errors = Counter(
    "consult_database_errors_total", "Frames answered `unavailable`", registry=registry
)
page_acknowledge_seconds = Histogram(
    "consult_page_acknowledge_seconds",
    "From an urgent consult raised to a supervisor's acknowledgement",
    buckets=(15, 30, 60, 120, 300, 600, 1200, 1800, 3600),
    registry=registry,
)

loop_stalls = Counter(
    "consult_loop_stalls_total",
    "Times the event loop did not run for LOOP_STALL_LOG_MS or longer",
    registry=registry,
)


def exposition():
    return generate_latest(registry)
