import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { makeOperands } from '../problem/operand-data.ts';
import { runCase } from '../compare/run-case.ts';
import { callBackend } from '../compare/backend-call.ts';
import { parseDescriptor } from '../problem/descriptor.ts';
import { makeProblem, type ConvProblem } from '../problem/problem.ts';
import { SUPPORTED, UnsupportedError, type Backend } from '../problem/backend.ts';
import { ProtocolError } from './protocol-error.ts';
import { outputTensorShape, sizeOf } from '../problem/shape.ts';
import type { Tensor } from '../problem/tensor.ts';
import { eventually, isAlive, pidsIn } from './testdata/processes.ts';
import { createProcessBackend, MAX_CONSECUTIVE_PROCESS_FAILURES, type ExternalBackend, type ProcessBackendOptions } from './process-backend.ts';
import { NUMPY_PYTHON, STDLIB_PYTHON as PYTHON } from './testdata/python.ts';

const FIXTURE = join(import.meta.dirname, 'testdata', 'misbehaving_impl.py');
// The fixture needs only the standard library. A pyenv shim takes most of a second to start on a
// loaded machine, longer than the short time limits below (which time convcheck, not Python).
const P = parseDescriptor('mb1ic1ih3iw3oc1kh2kw2'); // y [1, 1, 2, 2]
const HANG = parseDescriptor('mb1ic1ih3iw7oc1kh2kw2'); // input width 7: the hang-iw7 fixture hangs on it

const started: Backend[] = [];
afterEach(async () => {
  await Promise.all(started.splice(0).map((b) => b.dispose?.()));
});

async function start(mode: string, options: ProcessBackendOptions = {}): Promise<Backend> {
  const backend = await createProcessBackend(`${PYTHON} ${FIXTURE} ${mode}`, { timeoutMs: 3000, ...options });
  started.push(backend);
  return backend;
}

const run = (backend: Backend, p: ConvProblem = P): Promise<unknown> => backend.run(p, makeOperands(p, 'exact', 1));


/** A fresh file the fixture appends its pid to, one line per start. */
function pidFile(): { env: Record<string, string>; pids: () => number[] } {
  const path = join(mkdtempSync(join(tmpdir(), 'convcheck-pid-')), 'pids');
  return { env: { PIDFILE: path }, pids: () => pidsIn(path) };
}

describe('a well-behaved process', () => {
  test('its hello sets name, version and precision, and each request gets its own tensor back', async () => {
    const backend = await start('ok');
    expect([backend.name, backend.version, backend.precision]).toEqual(['ext:misbehaving-ok', '0.0.1', 'fp32']);
    const problems = [P, parseDescriptor('mb2ic1iw5oc3kw2'), parseDescriptor('Tmb1ic1ih2iw2oc1kh2kw2sh2sw2')];
    // Called all at once: requests go one at a time, and each reply reaches its own caller.
    const outputs = await Promise.all(problems.map((p) => backend.run(p, makeOperands(p, 'exact', 1))));
    expect(outputs.map((y) => y.shape)).toEqual([[1, 1, 2, 2], [2, 3, 4], [1, 1, 4, 4]]);
    expect(outputs[0].data).toBeInstanceOf(Float32Array);
  });

  test('calls made at once wait their turn, and each one\'s time limit counts from its own request, not from the wait', async () => {
    const backend = await start('slow', { timeoutMs: 5000 }); // each reply takes 0.4 s
    expect(backend.queuesCalls).toBe(true);
    const operands = makeOperands(P, 'exact', 1);
    // the fourth waits 1.2 s behind the others, then takes 0.4 s: 1.6 s from its call, 0.4 s of its own
    const outcomes = await Promise.all([0, 1, 2, 3].map(() => callBackend(backend, () => SUPPORTED, (call) => backend.run(P, operands, call), 1000)));
    expect(outcomes.map((o) => (o.kind === 'error' ? o.message : o.kind))).toEqual(['output', 'output', 'output', 'output']);
  });

  test('a reply already in the pipe when the limit passes, because this thread was busy with other work, is in time', async () => {
    const backend = await start('slow', { timeoutMs: 1000 }); // replies after 0.4 s; the process's own limit is 1 s too
    const outcome = callBackend(backend, () => SUPPORTED, (call) => backend.run(P, makeOperands(P, 'exact', 1), call), 1000);
    await new Promise((resolve) => setTimeout(resolve, 50)); // the request is on its way
    // from the check phase, so that the timers phase (both limits' timers) comes before the poll phase that reads the reply
    await new Promise((resolve) => setImmediate(resolve));
    const until = performance.now() + 1500;
    while (performance.now() < until) { /* the other law's work holds this thread past both limits */ }
    const got = await outcome;
    expect(got.kind === 'error' ? got.message : got.kind).toBe('output');
  });

  test('a reply ended by a lone "\\r" is a time-out that says a line came without its "\\n" (before: only the time-out)', async () => {
    const backend = await start('cr-ending', { timeoutMs: 800 });
    await expect(run(backend)).rejects.toThrow(/request 1 \(mb1ic1ih3iw3oc1kh2kw2\): no reply within 800 ms; the process was killed and will be restarted for the next request\. Its stdout holds \d+ bytes of a line no "\\n" has ended \("\{\\"type\\": \\"result\\", .*\): each message must end with "\\n" and be flushed\.$/);
  });

  test('a call that waited its turn and then hangs is ended at its own limit from its request', async () => {
    const backend = await start('hang-iw7', { timeoutMs: 8000 }); // the process's own limit, longer than the call's
    const begin = performance.now();
    const [first, second] = await Promise.all([P, HANG].map((p) => callBackend(backend, () => SUPPORTED, (call) => backend.run(p, makeOperands(p, 'exact', 1), call), 600)));
    expect(first.kind).toBe('output');
    expect(second).toMatchObject({ kind: 'error', message: 'ext:misbehaving-hang-iw7 did not answer within 600 ms' });
    expect(performance.now() - begin).toBeLessThan(5000);
  });

  test('a reply of several hundred kilobytes, arriving in many pipe chunks, is read whole', async () => {
    const backend = await start('ok');
    const big = parseDescriptor('mb1ic1ih130iw130oc4kh3kw3'); // y [1, 4, 128, 128]: 256 KiB of float32
    const y = await run(backend, big);
    expect(y).toMatchObject({ shape: [1, 4, 128, 128] });
    expect((y as { data: Float32Array }).data.length).toBe(65536);
  });

  test('a reply of 2^23 elements (a 45 MB line) is read in linear time, well within the limit', async () => {
    // x and w are one element each; the end pad makes y [1, 1, 2^23]. Reading the line by re-splitting
    // its growing rest at every pipe chunk took 37 s for 32 MB; read once it takes about a second.
    const wide = makeProblem({ inChannels: 1, outChannels: 1, inputShape: [1], kernelShape: [1], pads: [0, 2 ** 23 - 1] });
    const backend = await start('ok', { timeoutMs: 30_000 });
    const begin = performance.now();
    const y = await run(backend, wide) as Tensor;
    const elapsed = performance.now() - begin;
    expect(y.shape).toEqual([1, 1, 2 ** 23]);
    expect(y.data.length).toBe(2 ** 23);
    expect(elapsed).toBeLessThan(12_000); // 1 to 3 s here under load; the quadratic reader needed over a minute
  }, 40_000);

  test('dispose closes stdin, the process ends, and a later run is refused', async () => {
    const { env, pids } = pidFile();
    const backend = await start('ok', { env });
    const begin = performance.now();
    await backend.dispose?.();
    expect(performance.now() - begin).toBeLessThan(1500);
    expect(await eventually(() => !isAlive(pids()[0]))).toBe(true);
    await expect(run(backend)).rejects.toThrow(/ext:misbehaving-ok: the backend was disposed/);
  });

  test('a process that has exited between requests is started again for the next request', async () => {
    const { env, pids } = pidFile();
    const backend = await start('silent-exit', { env });
    await run(backend);
    await new Promise((r) => setTimeout(r, 200)); // it exits after its reply; let that be seen first
    await expect(run(backend)).resolves.toMatchObject({ shape: [1, 1, 2, 2] });
    expect(pids()).toHaveLength(2);
  });
});

describe('a process that fails to start', () => {
  test('exiting at once reports the exit code and the stderr tail', async () => {
    await expect(start('exit')).rejects.toThrow(
      /the process exited with code 3 before sending its hello\. Last lines of its stderr:\n {2}\| starting up\n {2}\| fatal: no GPU found/,
    );
  });

  test('a command that does not exist reports code 127 and the shell\'s message', async () => {
    await expect(createProcessBackend('convcheck-no-such-command-xyz', { timeoutMs: 3000 })).rejects.toThrow(/exited with code 127 before sending its hello\..*not found/s);
  });

  test('never sending a hello times out within the limit, with a hint about flushing; the process is killed though it ignores SIGTERM', async () => {
    const { env, pids } = pidFile();
    const begin = performance.now();
    // the hello has its own limit (an interpreter importing a framework is not a request), long enough for python to start under load
    const program = join(import.meta.dirname, 'testdata', 'faults', 'no_hello.py');
    await expect(createProcessBackend(`${NUMPY_PYTHON} ${program}`, { timeoutMs: 400, helloTimeoutMs: 2500, env })).rejects.toThrow(/no hello within 2500 ms \(does it write the hello line and flush stdout\?\); it was killed/);
    expect(performance.now() - begin).toBeLessThan(5000);
    expect(await eventually(() => pids().length > 0 && !isAlive(pids()[0]))).toBe(true);
  });

  test('a hello of another protocol version is refused', async () => {
    await expect(start('bad-hello')).rejects.toThrow(ProtocolError);
    await expect(start('bad-hello')).rejects.toThrow(/hello\.protocol must be 1 or 2 .* but hello\.protocol=3/);
  });
});

describe('a process that misbehaves on a request: an error for that case, never a crash or hang of convcheck', () => {
  test('a crash reports the exit code and the last stderr lines, and the next request starts it again', async () => {
    const { env, pids } = pidFile();
    const backend = await start('crash', { env });
    await expect(run(backend)).rejects.toThrow(/request 1 \(mb1ic1ih3iw3oc1kh2kw2\): the process exited with code 7 before replying\. Last lines of its stderr:\n.*\n.*\n {2}\| ZeroDivisionError: division by zero/);
    await expect(run(backend)).rejects.toThrow(/request 2 .* exited with code 7 before replying/);
    expect(pids()).toHaveLength(2);
  });

  test('a hang is a timeout error within the limit; the process is killed and the next request works after a restart', async () => {
    const { env, pids } = pidFile();
    const backend = await start('hang-iw7', { timeoutMs: 800, env });
    const begin = performance.now();
    await expect(run(backend, HANG)).rejects.toThrow(/request 1 \(mb1ic1ih3iw7oc1kh2kw2\): no reply within 800 ms; the process was killed and will be restarted/);
    const elapsed = performance.now() - begin;
    expect(elapsed).toBeGreaterThanOrEqual(790);
    expect(elapsed).toBeLessThan(2500);
    expect(await eventually(() => !isAlive(pids()[0]))).toBe(true);
    await expect(run(backend)).resolves.toMatchObject({ shape: [1, 1, 2, 2] });
    expect(pids()).toHaveLength(2);
  });

  test('runCase turns a hang into an error verdict, not a hang', async () => {
    const backend = await start('hang-iw7', { timeoutMs: 500 });
    const outcome = await runCase(backend, HANG, { mode: 'exact', seed: 1 });
    expect(outcome).toMatchObject({ verdict: 'error', message: expect.stringMatching(/no reply within 500 ms/) });
  });

  test('a stdout line that is not JSON is an error quoting the line', async () => {
    const backend = await start('garbage');
    const result = run(backend);
    await expect(result).rejects.toThrow(ProtocolError);
    await expect(result).rejects.toThrow(/request 1 .*: stdout line is not JSON \(write logs to stderr\): "computing conv\.\.\. done"\. The process was killed and will be restarted/);
  });

  test('a reply with the wrong id is an error naming both ids', async () => {
    const backend = await start('wrong-id');
    await expect(run(backend)).rejects.toThrow(/reply\.id must be 1 \(the id of the request\), but reply\.id=101/);
  });

  test('a reply of the wrong shape is returned as sent, and judged a fail with both shapes, not an error', async () => {
    // before: "reply.y.shape must be [1,1,2,2]" was thrown, an error verdict that read like a broken pipe
    const backend = await start('wrong-shape');
    await expect(run(backend)).resolves.toMatchObject({ shape: [1] });
    const outcome = await runCase(backend, P, { mode: 'exact', seed: 1 });
    expect(outcome).toMatchObject({ verdict: 'fail', comparison: { message: expect.stringMatching(/output shape \[1\] \(1 elements\) differs from the expected \[1,1,2,2\] \(4 elements\)/) } });
  });

  test('a reply whose payload does not match the shape it declares is still a protocol error', async () => {
    const backend = await start('short-for-shape');
    await expect(run(backend)).rejects.toThrow(/reply\.y\.data decodes to 8 bytes, but its shape needs 4 float32 = 16 bytes/);
  });

  test('truncated base64 is an error with the byte counts', async () => {
    const backend = await start('truncated');
    await expect(run(backend)).rejects.toThrow(/reply\.y\.data decodes to 14 bytes, but its shape needs 4 float32 = 16 bytes/);
  });

  test('a payload that is not base64 is an error naming the character', async () => {
    const backend = await start('not-base64');
    await expect(run(backend)).rejects.toThrow(/reply\.y\.data is not padded standard base64: character "!" at offset 4/);
  });

  test('an error reply is an error verdict carrying its message', async () => {
    const backend = await start('error');
    await expect(run(backend)).rejects.toThrow(/request 1 .*: the implementation reported an error: out of device memory/);
    expect(await runCase(backend, P, { mode: 'exact', seed: 1 })).toMatchObject({ verdict: 'error' });
  });

  test('a reply written twice fails the request it answered, not the next one; the process is restarted', async () => {
    // before: the first request passed and the next one was blamed (in `run`, one request, it went unnoticed)
    const { env, pids } = pidFile();
    const backend = await start('twice', { env });
    await expect(run(backend)).rejects.toThrow(/request 1 \(mb1ic1ih3iw3oc1kh2kw2\): the process wrote 1 more stdout line\(s\) right after its reply, first "\{\\"type\\": \\"result\\", \\"id\\": 1,.*exactly one line answers each request/);
    expect(await eventually(() => !isAlive(pids()[0]))).toBe(true);
    await expect(run(backend)).rejects.toThrow(/request 2 .*right after its reply/);
    expect(pids()).toHaveLength(2);
  });

  test('a line written later, while no request is outstanding, kills the process at once and breaks the backend, naming the request it followed', async () => {
    const { env, pids } = pidFile();
    const backend = await start('twice-late', { env }) as ExternalBackend;
    await expect(run(backend)).resolves.toMatchObject({ shape: [1, 1, 2, 2] });
    expect(await eventually(() => !isAlive(pids()[0]))).toBe(true); // killed when its stray line came, not at the next request
    expect(backend.broken).toMatch(/after request 1 \(mb1ic1ih3iw3oc1kh2kw2\) its process wrote another stdout line while no request was outstanding/);
    await expect(run(backend)).rejects.toThrow(/request 2 .*: not sent: ext:misbehaving-twice-late is broken: after request 1/);
    expect(pids()).toHaveLength(1);
  });

  test('a stdout line over the reply limit is a protocol error naming the limit; the process is killed', async () => {
    const { env, pids } = pidFile();
    const backend = await start('ok', { env, maxReplyElements: 16 });
    const big = parseDescriptor('mb1ic1ih6iw6oc1kh1kw1'); // y has 36 elements, but the reply is refused before it is sent
    await expect(run(backend, big)).rejects.toThrow(/not sent: the reply to mb1ic1ih6iw6oc1kh1kw1 would hold 36 float32, more than the protocol's limit of 16/);
    const flooding = await start('long-line', { env, maxReplyElements: 16 });
    await expect(run(flooding)).rejects.toThrow(/request 1 .*: a stdout line longer than 65624 bytes, the protocol's limit \(a reply of 16 float32\); the process was killed/);
    expect(await eventually(() => !isAlive(pids()[1]))).toBe(true);
  });
});

describe('processes that crash, or leave something behind', () => {
  const FAULTS = join(import.meta.dirname, 'testdata', 'faults');
  const fault = (name: string, options: ProcessBackendOptions = {}): Promise<ExternalBackend> =>
    createProcessBackend(`${NUMPY_PYTHON} ${join(FAULTS, name)}`, { timeoutMs: 3000, ...options }).then((b) => { started.push(b); return b; });

  test(`an implementation that crashes right after its hello is restarted ${MAX_CONSECUTIVE_PROCESS_FAILURES} times at most, then the backend is broken and every later request fails at once`, async () => {
    // before: restarted for every request (92 restarts and 82 s in one trial)
    const { env, pids } = pidFile();
    const backend = await fault('crash_after_hello.py', { env });
    const messages: string[] = [];
    for (let k = 0; k < MAX_CONSECUTIVE_PROCESS_FAILURES; k++) messages.push(await run(backend).then(() => 'answered', (e: Error) => e.message));
    for (const m of messages) expect(m).toMatch(/the process exited with code 1 before replying\. Last lines of its stderr:\n {2}\| fatal: CUDA driver version is insufficient/);
    expect(messages[MAX_CONSECUTIVE_PROCESS_FAILURES - 1]).toMatch(/ext:crash-after-hello is broken: 3 requests in a row ended its process \(the last: request 3 \(mb1ic1ih3iw3oc1kh2kw2\): the process exited with code 1 before replying\.\), so no more requests are sent to it\./);
    expect(backend.broken).toMatch(/is broken/);
    const begin = performance.now();
    for (let k = 0; k < 20; k++) {
      const outcome = await runCase(backend, P, { mode: 'exact', seed: k });
      expect(outcome).toMatchObject({ verdict: 'error', message: expect.stringMatching(/not sent: ext:crash-after-hello is broken: 3 requests in a row ended its process/) });
    }
    expect(performance.now() - begin).toBeLessThan(1000);
    expect(pids()).toHaveLength(MAX_CONSECUTIVE_PROCESS_FAILURES);
  });

  test('a request that answers resets the count: an implementation that crashes now and then keeps being restarted', async () => {
    const { env, pids } = pidFile();
    const backend = await start('crash-every-other', { env });
    for (let k = 0; k < 6; k++) {
      if (k % 2 === 0) await expect(run(backend)).resolves.toMatchObject({ shape: [1, 1, 2, 2] });
      else await expect(run(backend)).rejects.toThrow(/exited with code 7 before replying/);
    }
    expect((backend as ExternalBackend).broken).toBeUndefined();
    expect(pids()).toHaveLength(3);
  });

  test('an implementation whose grandchild holds stdout open is reported with its exit code, and the grandchild is ended', async () => {
    // before: "no reply within 3000 ms" (the pipe stayed open), and the grandchild lived on
    const { env, pids } = pidFile();
    const backend = await fault('fork_grandchild.py', { env });
    const begin = performance.now();
    await expect(run(backend)).rejects.toThrow(/request 1 .*: the process exited with code 5 before replying \(a process it started still held its stdout open 200 ms later; its process group was killed\)\. Last lines of its stderr:\n {2}\| Segmentation fault in conv2d_kernel/);
    expect(performance.now() - begin).toBeLessThan(2000);
    expect(pids()).toHaveLength(2); // the implementation and its grandchild
    for (const pid of pids()) expect(await eventually(() => !isAlive(pid))).toBe(true);
  });

  test('dispose ends an implementation that ignores the end of stdin and SIGTERM, and its whole group', async () => {
    const { env, pids } = pidFile();
    const backend = await fault('ignore_stdin.py', { env, timeoutMs: 500 });
    await expect(run(backend)).resolves.toMatchObject({ shape: [1, 1, 2, 2] });
    const begin = performance.now();
    await backend.dispose?.();
    expect(performance.now() - begin).toBeLessThan(2500);
    for (const pid of pids()) expect(await eventually(() => !isAlive(pid))).toBe(true);
  });
});

describe('unsupported', () => {
  test('an unsupported reply throws UnsupportedError, which runCase counts as unsupported, not error', async () => {
    const backend = await start('unsupported');
    const error = await run(backend).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnsupportedError);
    expect((error as UnsupportedError).reason).toBe('misbehaving-unsupported: dilated transposed conv is not implemented');
    expect(await runCase(backend, P, { mode: 'exact', seed: 1 })).toMatchObject({ verdict: 'unsupported', reason: expect.stringMatching(/dilated transposed conv/) });
  });

  test('ops and limits of the hello decide supports(), and run() refuses without asking the process', async () => {
    const backend = await start('conv-only');
    const transposed = parseDescriptor('Tmb1ic1ih2iw2oc1kh2kw2');
    expect(backend.supports(P)).toEqual({ supported: true });
    expect(backend.supports(transposed)).toEqual({ supported: false, reason: 'misbehaving-conv-only: op convTranspose is not among the ops of its hello [conv]' });
    expect(backend.supports(parseDescriptor('mb1ic1iw5oc1kw3'))).toMatchObject({ supported: false, reason: expect.stringMatching(/spatial rank 1/) });
    await expect(run(backend, transposed)).rejects.toThrow(UnsupportedError);
    await expect(run(backend)).resolves.toMatchObject({ shape: [1, 1, 2, 2] });
  });
});

describe('gradients (protocol 2)', () => {
  const CONV = parseDescriptor('mb1ic2ih3iw3oc2kh2kw2'); // x [1,2,3,3], w [2,2,2,2], dy [1,2,2,2]
  const BIASED = parseDescriptor('mb1ic2ih3iw3oc2kh2kw2b1');
  const TRANSPOSED = parseDescriptor('Tmb1ic1ih2iw2oc1kh2kw2sh2sw2');
  const dyOf = (p: ConvProblem): Tensor => ({ shape: outputTensorShape(p), data: new Float32Array(sizeOf(outputTensorShape(p))).fill(1) });
  const grad = (backend: Backend, p: ConvProblem): Promise<unknown> => (backend as ExternalBackend).gradient(p, makeOperands(p, 'exact', 1), dyOf(p));

  test('a protocol 1 implementation keeps working unchanged, with no gradients capability', async () => {
    const backend = await start('ok') as ExternalBackend;
    expect(backend.hello.protocol).toBe(1);
    expect(backend.gradients).toBeUndefined();
    expect(backend.gradientSupport(CONV)).toEqual({ supported: false, reason: 'misbehaving-ok: its hello declares no gradients (protocol 1 has none; protocol 2 adds them)' });
    await expect(grad(backend, CONV)).rejects.toThrow(UnsupportedError);
    await expect(run(backend)).resolves.toMatchObject({ shape: [1, 1, 2, 2] });
  });

  test('a hello declaring gradients gives the Backend its gradients capability; dx, dw and db come back with their shapes', async () => {
    const backend = await start('grad-ok') as ExternalBackend;
    expect(backend.hello).toMatchObject({ protocol: 2, gradients: ['conv', 'convTranspose'] });
    expect(backend.gradients?.supports(CONV, 'input')).toEqual({ supported: true });
    const { x, w } = makeOperands(CONV, 'exact', 1);
    expect((await backend.gradients?.input(CONV, { x, w }, dyOf(CONV)))?.shape).toEqual([1, 2, 3, 3]);
    expect((await backend.gradients?.weight(CONV, { x, w }, dyOf(CONV)))?.shape).toEqual([2, 2, 2, 2]);
    const all = await backend.gradient(BIASED, makeOperands(BIASED, 'exact', 1), dyOf(BIASED));
    expect([all.dx.shape, all.dw.shape, all.db?.shape]).toEqual([[1, 2, 3, 3], [2, 2, 2, 2], [2]]);
    const transposed = await backend.gradient(TRANSPOSED, makeOperands(TRANSPOSED, 'exact', 1), dyOf(TRANSPOSED));
    expect([transposed.dx.shape, transposed.dw.shape, transposed.db]).toEqual([[1, 1, 2, 2], [1, 1, 2, 2], undefined]);
    // runs and gradient requests share the process and its ids
    await expect(run(backend)).resolves.toMatchObject({ shape: [1, 1, 2, 2] });
  });

  test('gradients of an op not declared are unsupported without asking the process, for the gradient laws too', async () => {
    const backend = await start('grad-conv-only') as ExternalBackend;
    expect(backend.gradientSupport(TRANSPOSED)).toEqual({ supported: false, reason: 'misbehaving-grad-conv-only: gradients of convTranspose are not among the gradients of its hello [conv]' });
    await expect(grad(backend, TRANSPOSED)).rejects.toThrow(UnsupportedError);
    expect(backend.gradients?.supports(TRANSPOSED, 'weight')).toMatchObject({ supported: false });
    await expect(grad(backend, CONV)).resolves.toMatchObject({ dx: { shape: [1, 2, 3, 3] } });
  });

  test.each([
    ['grad-v1', /hello\.gradients needs protocol 2, but hello\.protocol=1/],
    ['grad-not-in-ops', /hello\.gradients lists "convTranspose", which is not among hello\.ops \[conv\]/],
  ])('a hello with %s is refused naming the field', async (mode, message) => {
    await expect(start(mode)).rejects.toThrow(ProtocolError);
    await expect(start(mode)).rejects.toThrow(message);
  });

  test.each([
    ['grad-y', CONV, /gradient request 1 \(mb1ic2ih3iw3oc2kh2kw2\): reply\.dx must be an object .* but it is missing \(a reply to a gradient request carries dx, dw and, when the request has b, db; not y\)\. The process was killed/],
    ['grad-no-dw', CONV, /gradient request 1 .*: reply\.dw must be an object .* but it is missing/],
    ['grad-bad-base64', CONV, /reply\.dw\.data is not padded standard base64: character "!" at offset 4/],
    ['grad-truncated', CONV, /reply\.dx\.data decodes to 70 bytes, but its shape needs 18 float32 = 72 bytes/],
    ['grad-no-db', BIASED, /reply\.db must be an object .* but it is missing \(the request carried b, so the reply needs db = ∂L\/∂b\)/],
    ['grad-extra-db', CONV, /reply\.db must be absent: the request carried no b/],
  ])('a malformed gradient reply (%s) is a protocol error naming the field', async (mode, p, message) => {
    const backend = await start(mode);
    const result = grad(backend, p);
    await expect(result).rejects.toThrow(ProtocolError);
    await expect(result).rejects.toThrow(message);
    // and the gradient law's case is an error verdict, never a pass
    const { x, w } = makeOperands(CONV, 'exact', 1);
    if (mode !== 'grad-no-db') await expect(backend.gradients?.weight(CONV, { x, w }, dyOf(CONV))).rejects.toThrow(ProtocolError);
  });

  test('a gradient of the wrong shape is returned as sent (a wrong answer for the gradient laws to fail), not thrown', async () => {
    const backend = await start('grad-wrong-shape') as ExternalBackend;
    await expect(grad(backend, CONV)).resolves.toMatchObject({ dx: { shape: [1] }, dw: { shape: [2, 2, 2, 2] } });
  });

  test('unsupported and error replies to a gradient request are UnsupportedError and an error naming the request', async () => {
    const declined = await start('grad-unsupported');
    await expect(grad(declined, CONV)).rejects.toThrow(UnsupportedError);
    await expect(grad(declined, CONV)).rejects.toThrow('misbehaving-grad-unsupported: no weight gradient for grouped conv');
    const failing = await start('grad-error');
    await expect(grad(failing, CONV)).rejects.toThrow(/gradient request 1 \(mb1ic2ih3iw3oc2kh2kw2\): the implementation reported an error: autograd failed/);
  });

  test('a dy of the wrong shape is refused before anything is sent', async () => {
    const backend = await start('grad-ok') as ExternalBackend;
    await expect(backend.gradient(CONV, makeOperands(CONV, 'exact', 1), { shape: [1, 2, 3, 3], data: new Float32Array(18) })).rejects.toThrow(/dy must have shape \[1,2,2,2\], but dy\.shape=\[1,2,3,3\]/);
  });
});

describe('hostile text from the implementation: escaped and bounded, never raw on the terminal, never a crash', () => {
  const HOSTILE = join(import.meta.dirname, 'testdata', 'hostile_impl.py');
  const hostile = (mode: string): Promise<ExternalBackend> =>
    createProcessBackend(`${PYTHON} ${HOSTILE} ${mode}`, { timeoutMs: 5000 }).then((b) => { started.push(b); return b; });
  /** ESC, BEL, CR, LF, DEL and C1 CSI, the characters a terminal acts on. */
  const RAW_CONTROL = /[\u0007\u000a\u000d\u001b\u007f\u009b]/;
  const message = (promise: Promise<unknown>): Promise<string> => promise.then(() => 'answered', (e: Error) => e.message);

  test('a second line right after the hello is refused naming that line, not reported as a SIGKILL before replying', async () => {
    // before: the hello was accepted, the stray killed the process, and request 1 read "killed by signal SIGKILL before replying"
    const error = await hostile('hello-twice').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProtocolError);
    expect((error as Error).message).toMatch(/the process wrote 1 more stdout line\(s\) right after its hello, first "\{\\"type\\": \\"hello\\", .*it writes one hello, then exactly one line per request \(write logs to stderr\)/);
    expect((error as Error).message).not.toMatch(/SIGKILL/);
  });

  test('a hello field nested 20,000 levels deep is a protocol error naming the field, not a stack overflow', async () => {
    await expect(hostile('hello-deep-name')).rejects.toThrow(/hello\.name must be a string, but it is an object \(\{"a":\{"a":\{"a":\{\.\.\.\}\}\}\}\)/);
  });

  test('a hello name with a newline and colour codes is refused, the codes shown escaped', async () => {
    const text = await message(hostile('hello-ctrl-name'));
    expect(text).toMatch(/hello\.name must not contain control characters .* but hello\.name="a\\nb\\u001b\[31mRED\\u001b\[0m"/);
    expect(text).not.toMatch(RAW_CONTROL);
  });

  test('an error message that would clear the screen or set the window title is shown escaped', async () => {
    const backend = await hostile('error-ctrl');
    const text = await message(run(backend));
    expect(text).toContain('the implementation reported an error: line1\\nline2\\u001b[2J\\u001b]0;pwned\\u0007\\r\\u009b31m\\u007f');
    expect(text).not.toMatch(RAW_CONTROL);
    const outcome = await runCase(backend, P, { mode: 'exact', seed: 1 });
    expect(outcome).toMatchObject({ verdict: 'error' });
    expect(outcome.verdict === 'error' ? outcome.message : '').not.toMatch(RAW_CONTROL);
  });

  test('an error message of 10 MB is cut to 2,000 characters with its length', async () => {
    const text = await message(run(await hostile('error-huge')));
    expect(text).toMatch(/reported an error: E{2000}\.\.\. \(cut: 10000000 characters in all\)$/);
    expect(text.length).toBeLessThan(2200);
  });

  test('an error message nested 20,000 levels deep is a protocol error naming reply.message', async () => {
    await expect(run(await hostile('error-deep'))).rejects.toThrow(/request 1 .*: reply\.message must be a string, but it is an object \(\{"a":\{"a":/);
  });

  test('an unsupported reply with an empty reason is a protocol error naming reply.reason', async () => {
    // docs/protocol.md: an unsupported verdict "with your reason"; before, the verdict read "hostile-unsupported-empty: "
    const error = await run(await hostile('unsupported-empty')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProtocolError);
    expect((error as Error).message).toMatch(/reply\.reason must say why the implementation declines the problem, but reply\.reason=""/);
  });

  test('escape sequences in the stderr tail are shown escaped', async () => {
    const text = await message(run(await hostile('stderr-ctrl')));
    expect(text).toMatch(/exited with code 7 before replying\. Last lines of its stderr:\n {2}\| \\u001b\]0;pwned\\u0007\\u001b\[2J\\rfatal: out of memory/);
    expect(text.split('\n').slice(1).join('')).not.toMatch(RAW_CONTROL);
  });
});
