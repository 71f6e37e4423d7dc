"""The emulator's JSON replies: compact, and any JSON value the org's files can hold."""

import json

from sfemulator.replies import json_body


def test_a_reply_body_reads_back_as_the_data():
    data = {"totalSize": 2, "done": True, "records": [{"Id": "001", "Amount": 1e16, "IsWon": True, "Note": None,
                                                       "Name": 'Ünïcode "quoted"\n'}]}  # fmt: skip
    body = json_body(data)
    assert json.loads(body) == data and b" " not in body.replace(b"\xc3\x9cn\xc3\xafcode ", b"")


def test_what_orjson_refuses_is_still_written():
    data = {"huge": 2**70, "records": []}
    assert json.loads(json_body(data)) == data
    assert json.loads(json_body({1: "a key that is a number"})) == {"1": "a key that is a number"}
