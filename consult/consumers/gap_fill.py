"""A case room's missing messages, read from the database for the room hub (rooms_local.Room).

A frame the hub held because it skipped ahead means the one before it was lost on the way (its
publisher died after commit, or Redis dropped it). The database has every stored message, so the
hub reads the gap itself once its hold gives up, and its members never see it: no reader is told
anything they were not already sent live, so, like live delivery, this is not a history read of
any one member's.
"""

from consult.cases.models import Case
from consult.cases.rooms import case_history
from consult.events import frames
from consult.realtime.workers import URGENT, in_db_thread


def message_frames_between(case_id, after_seq, before_seq):
    """(seq, text) of the `message.new` frames of the messages strictly between two seqs."""
    history, _ = case_history(Case(pk=case_id), after_seq=after_seq, limit=before_seq - after_seq)
    return [(m.seq, frames.encode(frames.message_new(m))) for m in history if m.seq < before_seq]


def gap_filler(case_id):
    async def fill_gap(after_seq, before_seq):
        return await in_db_thread(message_frames_between, priority=URGENT)(
            case_id, after_seq, before_seq
        )

    return fill_gap
