import { spawnSync } from 'node:child_process';
import { describe, expect, test } from 'vitest';

/** Runs a module snippet in a fresh node (tsx) with `env`, and returns what it printed. */
function fresh(code: string, env: NodeJS.ProcessEnv): string {
  const child = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], { encoding: 'utf8', env, cwd: new URL('../..', import.meta.url).pathname });
  if (child.status !== 0) throw new Error(child.stderr);
  return child.stdout.trim();
}

const SNIPPET = `
  const { turnOffOrtTelemetry, userEnvironment } = await import('./adapters/onnx/ort-telemetry.ts');
  turnOffOrtTelemetry();
  const user = userEnvironment();
  console.log(JSON.stringify({ here: process.env.ORT_DISABLE_TELEMETRY, later: process.env.ORT_TELEMETRY_DISABLED, child: user.ORT_DISABLE_TELEMETRY ?? null, childLater: user.ORT_TELEMETRY_DISABLED ?? null }));
`;

describe('ORT telemetry: off in convcheck, as the user set it for the processes convcheck starts', () => {
  test('unset by the user: set here, unset for children', () => {
    const env = { ...process.env };
    delete env.ORT_DISABLE_TELEMETRY;
    delete env.ORT_TELEMETRY_DISABLED;
    expect(JSON.parse(fresh(SNIPPET, env))).toEqual({ here: '1', later: '1', child: null, childLater: null });
  });

  test('set to 0 by the user: overridden here, kept for children', () => {
    expect(JSON.parse(fresh(SNIPPET, { ...process.env, ORT_DISABLE_TELEMETRY: '0' }))).toMatchObject({ here: '1', child: '0' });
  });

  test("a cmd: implementation sees the user's value, also after convcheck's ORT adapter was loaded", () => {
    // the implementation names itself after the variable it sees
    const hello = 'import json, os, sys; print(json.dumps({"type": "hello", "protocol": 1, "name": "sees-" + os.environ.get("ORT_DISABLE_TELEMETRY", "unset"), "version": "0", "precision": "fp32", "ops": ["conv"]}), flush=True); sys.stdin.read()';
    const code = `
      await import('./adapters/onnx/onnxruntime-node.ts');
      const { createProcessBackend } = await import('./adapters/process-backend.ts');
      const backend = await createProcessBackend(${JSON.stringify(`python3 -c '${hello}'`)}, { timeoutMs: 10000 });
      console.log(JSON.stringify([process.env.ORT_DISABLE_TELEMETRY, backend.name]));
      await backend.dispose();
    `;
    const env = { ...process.env };
    delete env.ORT_DISABLE_TELEMETRY;
    expect(JSON.parse(fresh(code, env))).toEqual(['1', 'ext:sees-unset']);
    expect(JSON.parse(fresh(code, { ...env, ORT_DISABLE_TELEMETRY: '0' }))).toEqual(['1', 'ext:sees-0']);
  });
});
