/**
 * The bench's outside anchors: numpy float64 (bench/numpy_anchor.py) and PyTorch float64
 * (bench/torch_anchor.py), each a python process started once that times a layer inside python and
 * answers with its Σy and Σ|y|, which are checked against the reference's ({@link sumsAgree}): a
 * timing of a different computation would be worthless.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { torchPython } from '../adapters/torch.ts';
import type { ConvOperands } from '../problem/operands.ts';
import type { ConvProblem } from '../problem/problem.ts';
import { inputTensorShape, outputSpatialShape, outputTensorShape, resolvePads, weightShape } from '../problem/shape.ts';
import type { ConvResult } from '../reference/conv-result.ts';

/** An outside anchor's timing of one layer, or why there is none. */
export interface AnchorTiming { readonly ms?: number; readonly note: string }

/** PyTorch's timings of one layer (bench/torch_anchor.py): 1 thread, every core, y and S on 1 thread. */
export interface TorchTiming { readonly ms1?: number; readonly msAll?: number; readonly threads?: number; readonly msWithS1?: number; readonly note: string }

/** A finite non-negative number field of an anchor's answer, or undefined. */
function timeField(reply: Readonly<Record<string, unknown>>, key: string): number | undefined {
  const value = reply[key];
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : undefined;
}

/** Whether an anchor's Σy and Σ|y| agree with the reference's (within 1e-9 of ΣS: float64 rounding). */
export function sumsAgree(name: string, reply: Readonly<Record<string, unknown>>, reference: ConvResult): string {
  if (typeof reply.sum !== 'number' || typeof reply.absSum !== 'number') return `${name} answered without its sums`;
  let sum = 0, absSum = 0, scale = 0;
  for (let i = 0; i < reference.y.data.length; i++) { sum += reference.y.data[i]; absSum += Math.abs(reference.y.data[i]); scale += reference.absSum[i]; }
  const agrees = Math.abs(reply.sum - sum) <= 1e-9 * scale && Math.abs(reply.absSum - absSum) <= 1e-9 * scale;
  return agrees ? 'Σy, Σ|y| agree' : `${name}'s Σy ${reply.sum} and Σ|y| ${reply.absSum} differ from the reference's ${sum} and ${absSum}`;
}

/**
 * Starts a python anchor script once (bench/numpy_anchor.py, bench/torch_anchor.py); `ask` sends
 * it a problem with its operands and reads its one-line JSON answer, or says why there is none.
 */
function pythonAnchor(interpreter: string, scriptName: string, runs: number): { ask: (p: ConvProblem, operands: ConvOperands) => Promise<Record<string, unknown> | string>; close: () => void } {
  const script = fileURLToPath(new URL(`./${scriptName}`, import.meta.url));
  const child = spawn(interpreter, [script], { stdio: ['pipe', 'pipe', 'pipe'] });
  let failed: string | undefined;
  let stderr = '';
  child.on('error', (error) => { failed = `${interpreter} not started: ${error.message}`; });
  child.stdin.on('error', () => { /* the script has exited; its exit answers the waiting request */ });
  child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
  let buffer = '';
  const waiting: Array<(line: string | undefined) => void> = [];
  child.stdout.on('data', (chunk: Buffer) => {
    buffer += chunk.toString();
    for (let nl = buffer.indexOf('\n'); nl >= 0; nl = buffer.indexOf('\n')) {
      const line = buffer.slice(0, nl);
      buffer = buffer.slice(nl + 1);
      waiting.shift()?.(line);
    }
  });
  child.on('exit', () => { failed ??= `${scriptName} exited (${stderr.trim().split('\n').pop() ?? ''})`; for (const w of waiting.splice(0)) w(undefined); });
  return {
    async ask(p, operands) {
      if (failed !== undefined) return failed;
      const pads = resolvePads(p);
      const request = {
        op: p.op, group: p.group, strides: p.strides, dilations: p.dilations, kernelShape: p.kernelShape, padsBegin: pads.begin, padsEnd: pads.end,
        outShape: outputSpatialShape(p), xShape: inputTensorShape(p), wShape: weightShape(p), yShape: outputTensorShape(p), runs,
        x: Array.from(operands.x.data), w: Array.from(operands.w.data),
      };
      const answer = new Promise<string | undefined>((resolve) => waiting.push(resolve));
      child.stdin.write(`${JSON.stringify(request)}\n`);
      const line = await answer;
      if (line === undefined) return failed ?? `${scriptName} gave no answer`;
      try {
        const reply: unknown = JSON.parse(line);
        if (typeof reply === 'object' && reply !== null && !Array.isArray(reply)) return reply as Record<string, unknown>;
      } catch { /* said below */ }
      return `${scriptName} answered ${JSON.stringify(line.slice(0, 200))}, not a JSON object`;
    },
    close() { child.stdin.end(); },
  };
}

/** numpy float64 (bench/numpy_anchor.py under python3), each layer timed as the median of `runs` runs. */
export function numpyAnchor(runs: number): { time: (p: ConvProblem, operands: ConvOperands, reference: ConvResult) => Promise<AnchorTiming>; close: () => void } {
  const anchor = pythonAnchor('python3', 'numpy_anchor.py', runs);
  return {
    async time(p, operands, reference) {
      const reply = await anchor.ask(p, operands);
      if (typeof reply === 'string') return { note: `unavailable (${reply})` };
      return { ms: timeField(reply, 'ms'), note: sumsAgree('numpy', reply, reference) };
    },
    close: anchor.close,
  };
}

/** PyTorch float64 (bench/torch_anchor.py), each layer timed as the median of `runs` runs. */
export function torchAnchor(runs: number): { time: (p: ConvProblem, operands: ConvOperands, reference: ConvResult) => Promise<TorchTiming>; close: () => void } {
  const anchor = pythonAnchor(torchPython(process.env), 'torch_anchor.py', runs);
  return {
    async time(p, operands, reference) {
      const reply = await anchor.ask(p, operands);
      if (typeof reply === 'string') return { note: `unavailable (${reply})` };
      return {
        ms1: timeField(reply, 'ms1'), msAll: timeField(reply, 'msAll'), threads: timeField(reply, 'threads'), msWithS1: timeField(reply, 'msWithS1'),
        note: sumsAgree('torch', reply, reference),
      };
    },
    close: anchor.close,
  };
}
