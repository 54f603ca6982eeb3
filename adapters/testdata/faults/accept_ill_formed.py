"""Fault: correct on well-formed requests, but accepts ill-formed ones without checking them (the
numpy example with its `check` removed): where its numpy code happens to compute something it
returns it, and where that fails it returns zeros of some shape. Expected: passes the laws;
`gate --error-inputs` fails, each ill-formed call reported as accepted."""
import fault

fault.record_pid()
fault.numpy_conv.check = lambda request: None  # the fault: no validation at all
fault.hello("accept-ill-formed")
for request in fault.requests():
    reply = fault.correct_reply(request)
    if reply["type"] == "error" and request["type"] == "run":
        shape = request.get("resolved", {}).get("y_shape", [1])
        reply = {"type": "result", "id": request["id"], "y": fault.numpy_conv.encode(fault.numpy_conv.np.zeros(shape))}
    fault.send(reply)
