"""Every error a user can be told about, with a stable code.

    ConsultError                 code            closes a socket?
    ├── NotFound                 not_found       yes (the room is gone for this user)
    ├── AccessDenied             forbidden       yes
    ├── ValidationFailed         invalid_field   no
    │   └── TooLarge             too_large       no
    ├── IdentifierFound          identifier_found  no (carries the flagged spans)
    ├── ProtocolError            invalid_json / unknown_type / frame_too_large  no
    ├── Unavailable              unavailable     no (the database is unreachable)
    └── RateLimited              rate_limited    no, until it goes on (4429)

Both of the last two carry `retry_after`: the seconds to wait before sending again.

Messages never quote the user's text back: they name the field and the rule.
"""


class ConsultError(Exception):
    code = "error"
    closes_socket = False
    # The refused frame's type and client_id, set by the frame parser when it refuses a frame
    # before it became a ClientFrame (consult/realtime/protocol.py); echoed in the error frame.
    request = None
    client_id = None

    def __init__(self, message, *, field=None):
        super().__init__(message)
        self.message = message
        self.field = field

    def as_dict(self):
        data = {"code": self.code, "message": self.message}
        if self.field:
            data["field"] = self.field
        return data


class NotFound(ConsultError):
    code = "not_found"
    closes_socket = True


class AccessDenied(ConsultError):
    code = "forbidden"
    closes_socket = True


class ValidationFailed(ConsultError):
    code = "invalid_field"


class TooLarge(ValidationFailed):
    code = "too_large"


class IdentifierFound(ConsultError):
    code = "identifier_found"

    def __init__(self, findings, *, field):
        super().__init__(f"{field} looks like it contains patient identifiers", field=field)
        self.findings = findings

    def as_dict(self):
        return {**super().as_dict(), "findings": [f.as_dict() for f in self.findings]}


class ProtocolError(ConsultError):
    def __init__(self, code, message, *, field=None):
        super().__init__(message, field=field)
        self.code = code


class Unavailable(ConsultError):
    """A dependency (the database) did not answer: nothing was stored,
    the same frame may be resent."""

    code = "unavailable"

    def __init__(
        self, message="the service is briefly unavailable; nothing was stored", *, retry_after=2
    ):
        super().__init__(message)
        self.retry_after = retry_after

    def as_dict(self):
        return {**super().as_dict(), "retry_after": self.retry_after}


class RateLimited(ConsultError):
    """A socket sent frames faster than its budget: this one was dropped, unread and unstored."""

    code = "rate_limited"

    def __init__(self, retry_after):
        super().__init__("too many frames: wait before sending again; this frame was not processed")
        self.retry_after = retry_after

    def as_dict(self):
        return {**super().as_dict(), "retry_after": self.retry_after}
