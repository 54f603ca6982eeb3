"""Fault: correct on well-formed requests, but accepts ill-formed ones without checking them (the
numpy example with its `check` removed): where its numpy code happens to compute something it
returns it, and where that fails it returns zeros of some shape; the same for ConvInteger and
QLinearConv (its hello lists them). Expected: passes the laws;
`gate --error-inputs` fails, each ill-formed call reported as accepted."""
import fault

fault.record_pid()
fault.numpy_conv.check = lambda request: None  # the fault: no validation at all
fault.numpy_conv.check_quantized = lambda request: None
fault.hello("accept-ill-formed", quantized=True)
for request in fault.requests():
    reply = fault.correct_reply(request)
    if reply["type"] == "error" and request["type"] in ("run", "run_quantized"):
        shape = request.get("resolved", {}).get("y_shape", [1])
        zeros = fault.numpy_conv.np.zeros(shape)
        y = fault.numpy_conv.encode(zeros) if request["type"] == "run" else fault.numpy_conv.encode_ints(zeros, "int32")
        reply = {"type": "result", "id": request["id"], "y": y}
    fault.send(reply)
