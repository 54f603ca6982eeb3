"""Fault: answers with the output's last spatial position dropped, or one more when there is only
one (a consistent reply: the payload matches the shape it declares). Expected: a fail with the
expected and the returned shapes, shrunk like any other fail; not an error."""
import numpy as np
import fault

fault.record_pid()
fault.hello("wrong-shape")
for request in fault.requests():
    reply = fault.correct_reply(request)
    if reply["type"] == "result" and "y" in reply:
        y = fault.numpy_conv.run(request)
        y = y[..., :-1] if y.shape[-1] > 1 else np.concatenate([y, y], axis=-1)
        reply["y"] = fault.numpy_conv.encode(y)
    fault.send(reply)
