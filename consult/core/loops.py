"""State that belongs to one event loop: a server has one, but every async test runs on its own."""

import asyncio


def one_per_event_loop(make):
    """A function that returns the running loop's own `make(loop)`, made on first use. Closed
    loops' instances are dropped when a new loop asks, so tests do not pile them up."""
    made = {}

    def for_this_loop():
        loop = asyncio.get_running_loop()
        found = made.get(loop)
        if found is None:
            for closed in [other for other in made if other.is_closed()]:
                del made[closed]
            found = made[loop] = make(loop)
        return found

    return for_this_loop
