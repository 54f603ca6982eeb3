"""Fault: answers correctly except that the first output element is NaN. Expected: a fail (a NaN
where the reference is finite is impossible for a correct kernel), the same verdict in run and gate."""
import base64
import fault

fault.record_pid()
fault.hello("nan-output")
NAN = base64.b64decode("AADAfw==")  # float32 quiet NaN, little-endian
for request in fault.requests():
    reply = fault.correct_reply(request)
    if reply["type"] == "result" and "y" in reply:
        data = bytearray(base64.b64decode(reply["y"]["data"]))
        data[0:4] = NAN
        reply["y"]["data"] = base64.b64encode(bytes(data)).decode("ascii")
    fault.send(reply)
