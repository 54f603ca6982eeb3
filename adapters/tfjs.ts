/**
 * TensorFlow.js as convcheck backends: `tfjs-cpu` and `tfjs-wasm` always (installed with the
 * project), `tfjs-node` (tfjs's `tensorflow` backend) when @tensorflow/tfjs-node is installed.
 *
 * Each problem maps onto one tfjs op (adapters/tfjs/plan.ts: conv1d, conv2d, conv3d,
 * depthwiseConv2d, conv2dTranspose, conv3dTranspose) with ONNX layouts converted on the way in
 * and out (adapters/tfjs/layout.ts) and the bias added after the op (adapters/tfjs/call.ts).
 * tfjs has one global engine: every run takes the engine lock, activates its backend, computes in
 * `tf.tidy`, reads the output and disposes it, so runs never interleave and leave no tensors.
 */
import { SUPPORTED, unsupported, UnsupportedError, type Backend, type BackendAvailability, type ConvGradients, type GradientPart, type Support } from '../problem/backend.ts';
import { withChanges, type ConvProblem } from '../problem/problem.ts';
import { ConvInputError } from '../problem/errors.ts';
import { formatDescriptor } from '../problem/descriptor.ts';
import type { Tensor } from '../problem/tensor.ts';
import { checkOperands, type ConvOperands } from '../problem/operands.ts';
import { activateTfjsBackend, isTfjsBackendName, runExclusive, tf, TFJS_BACKENDS, TFJS_VERSION, type TfjsBackendName } from './tfjs/engine.ts';
import { addBias, callOp, fromCallOutput, toCallOperands } from './tfjs/call.ts';
import { planTfjs, type TfjsPlanTarget } from './tfjs/plan.ts';
import { tfjsGradient, tfjsGradientSupport } from './tfjs/gradients.ts';
import { tfjsKnownDiscrepancies } from './tfjs-known.ts';

export { TFJS_BACKENDS, type TfjsBackendName } from './tfjs/engine.ts';
export {
  checkTfjsGradients, tfjsGradient, tfjsGradientSupport, type GradientOutcome, type GradientPart, type TfjsGradientCheck,
} from './tfjs/gradients.ts';

/**
 * Whether the tfjs backend `backend` (a Node one, or a browser one of adapters/tfjs-browser.ts) can
 * run `p` (tfjs-core's ops decide, and for one rule the backend's kernel: see adapters/tfjs/plan.ts).
 * Never throws.
 */
export function tfjsSupport(p: ConvProblem, backend: TfjsPlanTarget = 'tfjs-cpu'): Support {
  const result = planTfjs(p, backend);
  return result.ok ? SUPPORTED : unsupported(result.reason);
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * `supports` of the gradients capability of tfjs backend `target` (a Node one, or a browser one of
 * adapters/tfjs-browser.ts): Conv problems only, and the parts adapters/tfjs/gradients.ts can plan.
 */
export function tfjsConvGradientSupport(target: TfjsPlanTarget): (p: ConvProblem, part: GradientPart) => Support {
  return (p, part) => {
    if (p.op !== 'conv') return unsupported(`tfjs: the gradients capability takes Conv problems, but op=${p.op}.`);
    const support = tfjsGradientSupport(target, p, part);
    return support.supported ? SUPPORTED : unsupported(support.reason);
  };
}

/**
 * tfjs's Conv gradients on backend `name` (tf.grad through the mapped op, adapters/tfjs/gradients.ts),
 * as the Backend capability: Conv problems only, the bias dropped (no gradient here depends on it).
 */
function tfjsConvGradients(name: TfjsBackendName): ConvGradients {
  const supports = tfjsConvGradientSupport(name);
  const gradient = (part: GradientPart) => (p: ConvProblem, operands: { readonly x: Tensor; readonly w: Tensor }, dy: Tensor): Promise<Tensor> => {
    if (p.op !== 'conv') return Promise.reject(new UnsupportedError(`tfjs: the gradients capability takes Conv problems, but op=${p.op}.`));
    return tfjsGradient(name, withChanges(p, { bias: false }), part, { x: operands.x, w: operands.w }, dy);
  };
  return { supports, input: gradient('input'), weight: gradient('weight') };
}

function makeBackend(name: TfjsBackendName): Backend {
  return {
    name,
    version: TFJS_VERSION,
    precision: 'fp32',
    knownDiscrepancies: tfjsKnownDiscrepancies(name),
    supports: (p: ConvProblem): Support => tfjsSupport(p, name),
    async run(p: ConvProblem, operands: ConvOperands): Promise<Tensor> {
      const result = planTfjs(p, name);
      if (!result.ok) throw new UnsupportedError(result.reason);
      checkOperands(p, operands);
      const plan = result.plan;
      const call = toCallOperands(p, plan, operands);
      return runExclusive(async () => {
        await activateTfjsBackend(name);
        let y;
        try {
          y = tf.tidy(() => {
            const out = callOp(tf, plan, tf.tensor(call.x.data, [...call.x.shape], 'float32'), tf.tensor(call.filter.data, [...call.filter.shape], 'float32'));
            return operands.b !== undefined ? addBias(tf, out, operands.b) : out;
          });
        } catch (error) {
          throw new Error(`${name} (tfjs ${TFJS_VERSION}) ${plan.op} failed on ${formatDescriptor(p)}: ${errorMessage(error)}`, { cause: error });
        }
        try {
          const data = await y.data();
          if (!(data instanceof Float32Array)) throw new Error(`${name} ${plan.op} returned ${y.dtype} data, not float32`);
          return fromCallOutput(plan, { shape: y.shape, data });
        } finally {
          y.dispose();
        }
      });
    },
    gradients: tfjsConvGradients(name),
    async dispose(): Promise<void> {
      // tensors are disposed after every run; the engine and its backends live as long as the process
    },
  };
}

/**
 * Creates one tfjs backend, checking that its tfjs backend initialises (throws an Error naming it
 * if not, e.g. tfjs-node without @tensorflow/tfjs-node). `name` is `tfjs-cpu`, `tfjs-wasm` or `tfjs-node`.
 * @example const cpu = await createTfjsBackend('tfjs-cpu'); await cpu.run(p, { x, w })
 */
export async function createTfjsBackend(name: string): Promise<Backend> {
  if (!isTfjsBackendName(name)) {
    throw new ConvInputError('name', `tfjs: backend name must be one of ${Object.keys(TFJS_BACKENDS).join(', ')}, but name=${JSON.stringify(name)}.`);
  }
  await runExclusive(() => activateTfjsBackend(name));
  return makeBackend(name);
}

/**
 * One tfjs backend with its availability: `{ available: true, backend }`, or
 * `{ available: false, name, reason }` when it cannot load (never a rejection).
 * @example await tfjsAvailability('tfjs-node') // { available: false, name: 'tfjs-node', reason: 'tfjs-node: @tensorflow/tfjs-node cannot be loaded ...' }
 */
export async function tfjsAvailability(name: TfjsBackendName): Promise<BackendAvailability> {
  try {
    return { available: true, backend: await createTfjsBackend(name) };
  } catch (error) {
    return { available: false, name, reason: errorMessage(error) };
  }
}

/** Every tfjs backend with its availability: `tfjs-cpu`, `tfjs-wasm`, `tfjs-node`, in that order (never a rejection). */
export async function createTfjsBackends(): Promise<BackendAvailability[]> {
  const results: BackendAvailability[] = [];
  for (const name of Object.keys(TFJS_BACKENDS) as TfjsBackendName[]) results.push(await tfjsAvailability(name));
  return results;
}
