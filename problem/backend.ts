/**
 * The one interface every backend implements: the reference, ONNX Runtime, TensorFlow.js, a user's
 * module, or a process spoken to over the JSON-lines protocol. It sits on the ground floor with
 * the problem model, so that everything above (reference, compare, adapters, properties) can
 * speak it without importing upwards.
 */
import type { KnownDiscrepancy } from './known-discrepancy.ts';
import type { ConvOperands } from './operands.ts';
import type { Precision } from './precision.ts';
import type { ConvProblem } from './problem.ts';
import type { IntTensor, QuantizedConvProblem, QuantizedOperands } from './quantized.ts';
import type { Tensor } from './tensor.ts';

/** Whether a backend can run a problem; unsupported always carries its reason. */
export type Support = { readonly supported: true } | { readonly supported: false; readonly reason: string };

/** Supported. */
export const SUPPORTED: Support = { supported: true };

/** Unsupported, with the reason (`tfjs: grouped conv other than depthwise (group=2, C=4)`). */
export function unsupported(reason: string): Support {
  return { supported: false, reason };
}

/**
 * What a backend call is given besides its problem: `signal` aborts when the call's time limit
 * passes (compare/backend-call.ts). A backend whose work can be stopped (a worker thread, a
 * child process) stops it then; one that cannot may ignore it: its late answer is dropped.
 */
export interface CallOptions {
  readonly signal?: AbortSignal;
  /**
   * For a backend that {@link Backend.queuesCalls}: to be called when this call leaves its queue
   * and starts; the call's time limit counts from then, not from the wait behind earlier calls.
   */
  readonly started?: () => void;
}

/** Which gradient of a Conv: with respect to its input x, or to its weight w. */
export type GradientPart = 'input' | 'weight';

/**
 * A backend's gradients of Conv (what a framework's autodiff or backward kernels compute): for a
 * Conv problem `p` (op `conv`; its bias plays no part) and `L = Σ conv(p, x, w) · dy`, the
 * gradient `∂L/∂x` (shape of x, `[N, C, ...i]`) and `∂L/∂w` (shape of w, `[M, C/group, ...k]`).
 * `dy` has the conv's output shape `[N, M, ...o]`. Operands are float32 for every backend but the
 * reference. A backend without this capability makes the gradient laws unsupported, never a pass.
 */
export interface ConvGradients {
  /** Whether the backend can compute `part` of Conv problem `problem`, and if not, why. Must not throw. */
  supports(problem: ConvProblem, part: GradientPart): Support;
  /** `∂L/∂x` `[N, C, ...i]` for x, w `[M, C/group, ...k]` and dy `[N, M, ...o]`. May throw (an error verdict). */
  input(problem: ConvProblem, operands: { readonly x: Tensor; readonly w: Tensor }, dy: Tensor, options?: CallOptions): Promise<Tensor>;
  /** `∂L/∂w` `[M, C/group, ...k]` for x `[N, C, ...i]`, w and dy `[N, M, ...o]`. May throw (an error verdict). */
  weight(problem: ConvProblem, operands: { readonly x: Tensor; readonly w: Tensor }, dy: Tensor, options?: CallOptions): Promise<Tensor>;
}

/**
 * A backend's quantized convolutions, ONNX ConvInteger and QLinearConv (problem/quantized.ts): the
 * zero points and scales are in the problem, the operands are integer tensors (x, w of the
 * problem's 8-bit types, QLinearConv's B int32), and the output is y `[N, M, ...o]` as integers
 * (int32 for ConvInteger, y's 8-bit type for QLinearConv). A backend without this capability makes
 * the quantized laws unsupported, never a pass.
 */
export interface QuantizedConvOps {
  /** Whether the backend can run `problem` (its operator, types, per-channel marker...), and if not, why. Must not throw. */
  supports(problem: QuantizedConvProblem): Support;
  /** Runs one ConvInteger or QLinearConv problem. May throw (an error verdict), never hang forever. */
  run(problem: QuantizedConvProblem, operands: QuantizedOperands, options?: CallOptions): Promise<IntTensor>;
}

/** A convolution implementation under test. */
export interface Backend {
  /** Stable short name: `reference`, `onnxruntime`, `tfjs-cpu`, `tfjs-wasm`, `ext:numpy-conv`. */
  readonly name: string;
  /** Version of the implementation (package version or what a process says in its hello). */
  readonly version: string;
  /** The precision the backend computes in. */
  readonly precision: Precision;
  /** Whether the backend can run `problem`, and if not, why. Must not throw. */
  supports(problem: ConvProblem): Support;
  /**
   * Runs one Conv / ConvTranspose problem. Operands are float32 for every backend but the
   * reference; the output is `[N, M, ...]`. May throw (an error verdict), never hang forever.
   * `options.signal` aborts at the call's time limit (see {@link CallOptions}).
   */
  run(problem: ConvProblem, operands: ConvOperands, options?: CallOptions): Promise<Tensor>;
  /** Optional: the backend's gradients of Conv (see {@link ConvGradients}); absent = the gradient laws are unsupported. */
  readonly gradients?: ConvGradients;
  /** Optional: the backend's ConvInteger and QLinearConv (see {@link QuantizedConvOps}); absent = the quantized laws are unsupported. */
  readonly quantized?: QuantizedConvOps;
  /**
   * Optional: the recorded wrong answers of this backend (problem/known-discrepancy.ts), in
   * precedence order. A failing case that one matches is `known`, shown with the record's id.
   */
  readonly knownDiscrepancies?: readonly KnownDiscrepancy[];
  /**
   * Optional: true when calls may be made before earlier ones have answered, because the backend
   * queues them itself, runs them one at a time in call order and calls each one's
   * `options.started` as it begins (a process backend: one request at a time; a browser page). A
   * call's time limit runs from then, so the queue must keep moving on its own (each call under
   * the backend's own limit). The law runner then keeps two laws in flight, so that convcheck's own
   * work on one (generating, the reference, judging) overlaps the backend's work on the other.
   * Absent: one call at a time, each timed from the call.
   */
  readonly queuesCalls?: boolean;
  /** Frees sessions, processes, WebAssembly memory. */
  dispose?(): Promise<void>;
}

/** A backend that may be missing on this machine (tfjs-node): available, or the reason it is not. */
export type BackendAvailability =
  | { readonly available: true; readonly backend: Backend }
  | { readonly available: false; readonly name: string; readonly reason: string };

/**
 * Thrown by a backend's `run` when it declines the problem: an unsupported verdict, never an error
 * and never a pass. Recognised by `name === 'UnsupportedError'` (see {@link isUnsupportedError}).
 */
export class UnsupportedError extends Error {
  /** Why the problem is unsupported, as the backend put it (`numpy-conv: 3-D conv is not implemented`). */
  readonly reason: string;

  constructor(reason: string) {
    super(reason);
    this.name = 'UnsupportedError';
    this.reason = reason;
  }
}

/** Whether `error` is an {@link UnsupportedError} (by name, so that copies from other module graphs count). */
export function isUnsupportedError(error: unknown): error is UnsupportedError {
  return error instanceof Error && error.name === 'UnsupportedError';
}
