// @ts-check
/**
 * Page runtime of the tfjs bundle (TensorFlow.js 4.22 with its webgl backend and
 * @tensorflow/tfjs-backend-webgpu), driven by adapters/tfjs-browser.ts. Node plans the op call
 * (adapters/tfjs/plan.ts) and lays the operands out for it; this page only makes that one call on
 * the GPU backend and sends the output back. WEBGL_CPU_FORWARD and WEBGPU_CPU_FORWARD are off, so
 * small ops are not forwarded to tfjs's CPU backend: the GPU kernels are what is checked.
 */
import { answer, decode, encode } from './wire.js';

/** @type {any} */
const tf = /** @type {any} */ (window).tf;

/** The tfjs backends this page may run, by convcheck name. */
const BACKENDS = { 'tfjs-webgl': 'webgl', 'tfjs-webgpu': 'webgpu' };

/** Kernels the plans and gradients call, checked at start on each backend. */
const KERNELS = ['Conv2D', 'Conv3D', 'DepthwiseConv2dNative', 'Conv2DBackpropInput', 'Conv2DBackpropFilter', 'Conv3DBackpropInputV2',
  'Conv3DBackpropFilterV2', 'DepthwiseConv2dNativeBackpropInput', 'DepthwiseConv2dNativeBackpropFilter'];

/** @param {string} name convcheck backend name */
async function activate(name) {
  const tfName = /** @type {Record<string, string>} */ (BACKENDS)[name];
  if (tfName === undefined) throw new Error(`tfjs page: unknown backend ${name}`);
  if (tf.getBackend() !== tfName) {
    if (!(await tf.setBackend(tfName))) throw new Error(`tfjs page: backend ${tfName} failed to initialise`);
    await tf.ready();
  }
  tf.env().set('WEBGL_CPU_FORWARD', false);
  tf.env().set('WEBGPU_CPU_FORWARD', false);
}

/** @param {{ shape: number[], data: string }} t */
function tensor(t) {
  return tf.tensor(decode(t), t.shape, 'float32');
}

/**
 * The op call of a plan (as adapters/tfjs/call.ts callOp makes it in Node).
 * @param {{ op: string, strides: number[], dilations: number[], pad: any, outputShape?: number[] }} call
 * @param {any} x @param {any} f
 */
function callOp(call, x, f) {
  const { op, strides, dilations, pad } = call;
  switch (op) {
    case 'conv1d': return tf.conv1d(x, f, strides[0], pad, 'NWC', dilations[0]);
    case 'conv2d': return tf.conv2d(x, f, strides, pad, 'NHWC', dilations);
    case 'depthwiseConv2d': return tf.depthwiseConv2d(x, f, strides, pad, 'NHWC', dilations);
    case 'conv3d': return tf.conv3d(x, f, strides, pad, 'NDHWC', dilations);
    case 'conv2dTranspose': return tf.conv2dTranspose(x, f, call.outputShape, strides, pad);
    case 'conv3dTranspose': return tf.conv3dTranspose(x, f, call.outputShape, strides, pad);
    default: throw new Error(`tfjs page: unknown op ${op}`);
  }
}

/** @param {any} y */
async function read(y) {
  try {
    return { shape: y.shape, data: encode(await y.data()) };
  } finally {
    y.dispose();
  }
}

/** @param {string} name @param {string} tfName */
async function probe(name, tfName) {
  try {
    await activate(name);
    const missing = KERNELS.filter((k) => tf.getKernel(k, tfName) === undefined);
    const info = { ok: true, missingKernels: missing };
    if (tfName === 'webgl') {
      const gl = tf.backend().gpgpu.gl;
      const debug = gl.getExtension('WEBGL_debug_renderer_info');
      const high = gl.getShaderPrecisionFormat(gl.FRAGMENT_SHADER, gl.HIGH_FLOAT);
      return { ...info, device: debug ? gl.getParameter(debug.UNMASKED_RENDERER_WEBGL) : gl.getParameter(gl.RENDERER),
        floatBits: high.precision, float32Textures: tf.env().getBool('WEBGL_RENDER_FLOAT32_ENABLED'), webglVersion: tf.env().getNumber('WEBGL_VERSION') };
    }
    const adapterInfo = tf.backend().adapterInfo;
    return { ...info, device: adapterInfo ? `${adapterInfo.vendor} ${adapterInfo.architecture}`.trim() : 'unknown adapter' };
  } catch (error) {
    return { ok: false, error: error instanceof Error ? error.message : String(error) };
  }
}

/** @type {any} */ (window).convcheck = {
  /**
   * One forward call: x and filter in the call's layout, optional bias added channels-last.
   * @param {{ backend: string, call: any, x: any, filter: any, bias?: any }} r
   */
  run: (r) => answer(async () => {
    await activate(r.backend);
    const y = tf.tidy(() => {
      const out = callOp(r.call, tensor(r.x), tensor(r.filter));
      if (r.bias === undefined) return out;
      const shape = out.shape.map((/** @type {number} */ _, /** @type {number} */ a) => (a === out.shape.length - 1 ? r.bias.shape[0] : 1));
      return tf.add(out, tf.tensor(decode(r.bias), shape, 'float32'));
    });
    return read(y);
  }),
  /**
   * The gradient of sum(op(x, filter) * dy) with respect to x (`part` input) or filter (weight).
   * @param {{ backend: string, call: any, x: any, filter: any, dy: any, part: 'input' | 'weight' }} r
   */
  gradient: (r) => answer(async () => {
    await activate(r.backend);
    const g = tf.tidy(() => {
      const x = tensor(r.x), f = tensor(r.filter), dy = tensor(r.dy);
      const loss = (/** @type {any} */ xT, /** @type {any} */ fT) => tf.sum(tf.mul(callOp(r.call, xT, fT), dy));
      return r.part === 'input' ? tf.grad((/** @type {any} */ xT) => loss(xT, f))(x) : tf.grad((/** @type {any} */ fT) => loss(x, fT))(f);
    });
    return read(g);
  }),
};

/** @type {any} */ (window).convcheckReady = answer(async () => {
  if (tf === undefined) throw new Error('tfjs page: tf.min.js did not load');
  const backends = { 'tfjs-webgl': await probe('tfjs-webgl', 'webgl'), 'tfjs-webgpu': await probe('tfjs-webgpu', 'webgpu') };
  return { tfjs: tf.version_core, backends };
});
