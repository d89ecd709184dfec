"""Helpers every test file may use, one home each (the fixtures are in tests/conftest.py):

people.py   make_user, a user's authenticator app and its current code
audit.py    trail(): a stream's events as the tests assert them; last_seq()
sockets.py  in-process sockets: open, join a room, read to a frame type, and
            frames_before(): what came before a marker, for "nothing else arrived" checks
"""
