"""False alarms of the de-identification guard: the writer's "this is not an identifier", audited
one way for every field, and the supervisors' second look (a list,
and redaction of a confirmed span)."""
