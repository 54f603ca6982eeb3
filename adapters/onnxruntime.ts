/**
 * ONNX Runtime (onnxruntime-node, CPU execution provider) as a convcheck backend. Each problem runs
 * as a single-node model from adapters/onnx/model.ts; sessions are cached per attribute set (the
 * problem's descriptor without its name), least recently used first out, so a property run builds
 * one model per distinct problem and not one per case.
 *
 * Weights are graph inputs, not initializers, so ORT's constant-weight rewrites (the NCHWc layout
 * transform, weight pre-packing) do not apply: what runs is ORT's generic CPU Conv kernel (MLAS) and
 * ConvTranspose kernel (GEMM then col2im).
 *
 * Sessions are single-threaded (one intra-op and one inter-op thread) with graph optimization off by
 * default: a property run creates a session for nearly every case's problems, and ORT's default
 * per-session thread pools and optimizer passes cost more than the small problems themselves (a
 * single-node graph has nothing to fuse). The kernel that runs is the same CPU kernel either way.
 */
import { createRequire } from 'node:module';
import { ort } from './onnx/onnxruntime-node.ts';
import { ConvInputError } from '../problem/errors.ts';
import { formatDescriptor } from '../problem/descriptor.ts';
import { withChanges, type ConvProblem } from '../problem/problem.ts';
import type { Tensor } from '../problem/tensor.ts';
import { validateProblem } from '../problem/validate.ts';
import { checkOperands, type ConvOperands } from '../problem/operands.ts';
import { SUPPORTED, unsupported, UnsupportedError, type Backend, type Support } from '../problem/backend.ts';
import { buildConvModel, ONNX_INPUT_NAMES, ONNX_OPSET, ONNX_OPSET_RANGE, ONNX_OUTPUT_NAME } from './onnx/model.ts';
import {
  isConvSameWithDilation, isConvTransposeOutputPaddingAtLeastStride, ONNX_RUNTIME_KNOWN_DISCREPANCIES, ONNX_RUNTIME_QUANTIZED_KNOWN_DISCREPANCIES, ORT_CONV_SAME_DILATION,
  ORT_CONV_TRANSPOSE_OUTPUT_PADDING,
} from './onnxruntime-known.ts';
import { formatQuantizedDescriptor } from '../problem/quantized-descriptor.ts';
import type { QuantizedConvProblem } from '../problem/quantized.ts';
import { buildQuantizedConvModel } from './onnx/quantized-model.ts';
import { onnxRuntimeQuantizedSupport, runQuantizedSession } from './onnxruntime-quantized.ts';

/** Backend name. */
const ONNX_RUNTIME_NAME = 'onnxruntime';

/** Version of the installed onnxruntime-node package (from its package.json). */
export const ONNX_RUNTIME_VERSION: string = (createRequire(import.meta.url)('onnxruntime-node/package.json') as { version: string }).version;

/**
 * Default bound of the session cache: a law run at the default budget meets about 550 distinct
 * problems, and a one-node session holds about 160 KB, so 256 sessions cost about 40 MB.
 */
const DEFAULT_MAX_SESSIONS = 256;

/** ORT's own log levels: 3 = error (session: hides shape-merge warnings), 4 = fatal (run: the error is thrown to us anyway). */
const SESSION_LOG_LEVEL = 3;
const RUN_LOG_LEVEL = 4;

/** The ONNX Runtime backend, with its session-cache counters (for tests and the bench). */
export interface OnnxRuntimeBackend extends Backend {
  /** Sessions alive in the cache now. */
  readonly cachedSessions: number;
  /** Sessions created since the backend was created (one per distinct problem while it stays cached). */
  readonly sessionsCreated: number;
}

/** Options of {@link createOnnxRuntimeBackend}. */
export interface OnnxRuntimeBackendOptions {
  /** Sessions kept alive at once; the least recently used is released beyond it. Default {@link DEFAULT_MAX_SESSIONS}. */
  readonly maxSessions?: number;
  /** ORT intra-op threads; default 1. 0 asks for ORT's own choice (one per physical core). */
  readonly intraOpNumThreads?: number;
  /** ORT inter-op threads (a one-node graph has no parallel branches); default 1, 0 is ORT's own choice. */
  readonly interOpNumThreads?: number;
  /** ORT graph optimization level; default `disabled` (a one-node graph has nothing to rewrite). */
  readonly graphOptimizationLevel?: 'disabled' | 'basic' | 'extended' | 'all';
  /** Opset of the generated models; default {@link ONNX_OPSET}. */
  readonly opset?: number;
}

/**
 * What ORT 1.30's CPU kernels refuse (see the records for how the spec reads): the classes of
 * adapters/onnxruntime-known.ts (Conv SAME_* with a dilation > 1; ConvTranspose with
 * output_padding >= stride). Everything else runs; an invalid problem is unsupported with the
 * validation message (this never throws).
 */
export function onnxRuntimeSupport(p: ConvProblem): Support {
  try {
    validateProblem(p);
  } catch (error) {
    return unsupported(`${ONNX_RUNTIME_NAME}: invalid problem: ${errorMessage(error)}`);
  }
  if (isConvSameWithDilation(p)) {
    // One reason per class (no attribute values), so reports count the cases of a class together.
    return unsupported(`${ONNX_RUNTIME_NAME}: Conv with auto_pad SAME_UPPER/SAME_LOWER and a dilation > 1 is refused by the CPU kernel ("Dilation not supported for AutoPadType::SAME_UPPER or AutoPadType::SAME_LOWER"; known discrepancy ${ORT_CONV_SAME_DILATION.id}); explicit pads work.`);
  }
  if (isConvTransposeOutputPaddingAtLeastStride(p)) {
    return unsupported(`${ONNX_RUNTIME_NAME}: ConvTranspose with output_padding >= stride on an axis is refused (ORT bounds output_padding by the stride alone, not by stride or dilation; known discrepancy ${ORT_CONV_TRANSPOSE_OUTPUT_PADDING.id}).`);
  }
  return SUPPORTED;
}

/** The session-cache key of a problem: its descriptor without the free-form name. */
export function sessionKey(p: ConvProblem): string {
  return formatDescriptor(withChanges(p, { name: undefined }));
}

/** The session-cache key of a quantized problem: its descriptor without the name. */
export function quantizedSessionKey(p: QuantizedConvProblem): string {
  return formatQuantizedDescriptor({ ...p, conv: withChanges(p.conv, { name: undefined }) });
}

interface CacheEntry {
  readonly session: Promise<ort.InferenceSession>;
  inUse: number;
  evicted: boolean;
}

/** A bounded LRU of ORT sessions; an evicted session is released once no run is using it. */
class SessionCache {
  private readonly entries = new Map<string, CacheEntry>();

  constructor(private readonly maxSessions: number) {}

  get size(): number {
    return this.entries.size;
  }

  /** Runs `use` with the session under `key`, creating it with `create` if needed; keeps it alive while `use` runs. */
  async with<T>(key: string, create: () => Promise<ort.InferenceSession>, use: (session: ort.InferenceSession) => Promise<T>): Promise<T> {
    let entry = this.entries.get(key);
    if (entry) {
      this.entries.delete(key); // re-insert: most recently used last
    } else {
      entry = { session: create(), inUse: 0, evicted: false };
      entry.session.catch(() => this.entries.get(key) === entry && this.entries.delete(key));
    }
    this.entries.set(key, entry);
    this.evictBeyondBound();
    entry.inUse++;
    try {
      return await use(await entry.session);
    } finally {
      entry.inUse--;
      if (entry.evicted && entry.inUse === 0) await release(entry);
    }
  }

  private evictBeyondBound(): void {
    while (this.entries.size > this.maxSessions) {
      const [oldestKey, oldest] = this.entries.entries().next().value as [string, CacheEntry];
      this.entries.delete(oldestKey);
      oldest.evicted = true;
      if (oldest.inUse === 0) void release(oldest);
    }
  }

  /** Releases every session. */
  async clear(): Promise<void> {
    const all = [...this.entries.values()];
    this.entries.clear();
    await Promise.all(all.map((entry) => { entry.evicted = true; return entry.inUse === 0 ? release(entry) : Promise.resolve(); }));
  }
}

async function release(entry: CacheEntry): Promise<void> {
  try {
    await (await entry.session).release();
  } catch {
    // a session that failed to load, or was already released, has nothing to free
  }
}

function feed(t: Tensor): ort.Tensor {
  const data = t.data instanceof Float32Array ? t.data : Float32Array.from(t.data);
  return new ort.Tensor('float32', data, [...t.shape]);
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Creates the ONNX Runtime backend: name `onnxruntime`, version of onnxruntime-node, precision fp32,
 * CPU execution provider. `run` throws UnsupportedError for what {@link onnxRuntimeSupport} refuses,
 * ConvInputError for operands that do not fit the problem, and an Error naming the descriptor for
 * anything ORT itself throws; it never crashes the process.
 */
export async function createOnnxRuntimeBackend(options: OnnxRuntimeBackendOptions = {}): Promise<OnnxRuntimeBackend> {
  const maxSessions = options.maxSessions ?? DEFAULT_MAX_SESSIONS;
  if (!Number.isInteger(maxSessions) || maxSessions < 1) {
    throw new ConvInputError('maxSessions', `onnxruntime: maxSessions must be an integer >= 1, but maxSessions=${maxSessions}.`);
  }
  const opset = options.opset ?? ONNX_OPSET;
  if (!Number.isInteger(opset) || opset < ONNX_OPSET_RANGE.min || opset > ONNX_OPSET_RANGE.max) {
    throw new ConvInputError('opset', `onnxruntime: opset must be an integer in ${ONNX_OPSET_RANGE.min}..${ONNX_OPSET_RANGE.max}, but opset=${opset}.`);
  }
  const sessionOptions: ort.InferenceSession.SessionOptions = {
    executionProviders: ['cpu'],
    logSeverityLevel: SESSION_LOG_LEVEL,
    intraOpNumThreads: options.intraOpNumThreads ?? 1,
    interOpNumThreads: options.interOpNumThreads ?? 1,
    graphOptimizationLevel: options.graphOptimizationLevel ?? 'disabled',
    executionMode: 'sequential',
  };
  let sessionsCreated = 0;
  const cache = new SessionCache(maxSessions);
  const createSession = async (model: Uint8Array): Promise<ort.InferenceSession> => {
    sessionsCreated++;
    return ort.InferenceSession.create(model, sessionOptions);
  };

  return {
    name: ONNX_RUNTIME_NAME,
    version: ONNX_RUNTIME_VERSION,
    precision: 'fp32',
    knownDiscrepancies: [...ONNX_RUNTIME_KNOWN_DISCREPANCIES, ...ONNX_RUNTIME_QUANTIZED_KNOWN_DISCREPANCIES],
    get cachedSessions(): number { return cache.size; },
    get sessionsCreated(): number { return sessionsCreated; },
    supports: onnxRuntimeSupport,
    async run(p: ConvProblem, operands: ConvOperands): Promise<Tensor> {
      const support = onnxRuntimeSupport(p);
      if (!support.supported) throw new UnsupportedError(support.reason);
      checkOperands(p, operands);
      const feeds: Record<string, ort.Tensor> = { [ONNX_INPUT_NAMES.x]: feed(operands.x), [ONNX_INPUT_NAMES.w]: feed(operands.w) };
      if (operands.b !== undefined) feeds[ONNX_INPUT_NAMES.b] = feed(operands.b);
      try {
        return await cache.with(sessionKey(p), () => createSession(buildConvModel(p, { opset })), async (session) => {
          const results = await session.run(feeds, { logSeverityLevel: RUN_LOG_LEVEL });
          const y = results[ONNX_OUTPUT_NAME];
          if (y === undefined || y.type !== 'float32') throw new Error(`output ${ONNX_OUTPUT_NAME} is ${y === undefined ? 'missing' : `of type ${y.type}`}`);
          return { shape: [...y.dims], data: Float32Array.from(y.data as Float32Array) };
        });
      } catch (error) {
        throw new Error(`onnxruntime ${ONNX_RUNTIME_VERSION} failed on ${sessionKey(p)}: ${errorMessage(error)}`, { cause: error });
      }
    },
    // ConvInteger and QLinearConv: single-node models of adapters/onnx/quantized-model.ts, in the same session cache
    quantized: {
      supports: onnxRuntimeQuantizedSupport,
      async run(p, operands) {
        const support = onnxRuntimeQuantizedSupport(p);
        if (!support.supported) throw new UnsupportedError(support.reason);
        const key = quantizedSessionKey(p);
        try {
          return await cache.with(key, () => createSession(buildQuantizedConvModel(p, { opset })), (session) => runQuantizedSession(session, p, operands, RUN_LOG_LEVEL));
        } catch (error) {
          if (error instanceof ConvInputError) throw error;
          throw new Error(`onnxruntime ${ONNX_RUNTIME_VERSION} failed on ${key}: ${errorMessage(error)}`, { cause: error });
        }
      },
    },
    async dispose(): Promise<void> {
      await cache.clear();
    },
  };
}
