import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from './main.ts';
import { memoryIo } from './output.ts';

const capture = memoryIo;

/** A process implementation that says hello at once, then takes 1.5 s over every request (and refuses it). */
async function slowReplies(): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'convcheck-slow-'));
  const file = path.join(dir, 'slow.py');
  await writeFile(file, [
    'import json, sys, time',
    'print(json.dumps({"type": "hello", "protocol": 1, "name": "slow", "version": "0", "precision": "fp32", "ops": ["conv"]}), flush=True)',
    'for line in sys.stdin:',
    '    time.sleep(1.5)',
    '    print(json.dumps({"type": "unsupported", "id": json.loads(line)["id"], "reason": "slow"}), flush=True)',
    '',
  ].join('\n'));
  return `cmd:"python3 ${file}"`;
}

describe('--timeout reaches a cmd: process backend', () => {
  // before: createProcessBackend got no timeout, so its 10 s default applied whatever --timeout said
  // (a slow but correct implementation was killed at 10 s under --timeout 60000); here a 1.5 s reply
  // under --timeout 500 must be an error, which the 10 s default would have waited for
  it('run, gate and golden import give the process their --timeout for each request', async () => {
    const backend = await slowReplies();
    for (const argv of [
      ['run', 'mb1ic1iw3oc1kw1', '--backend', backend, '--timeout', '500'],
      ['gate', '--backend', backend, '--timeout', '500', '--num-runs', '1', '--golden', 'none', '--law', 'the backend agrees with the reference', '--conv-types', 'conv2d'],
      ['golden', 'import', 'golden/corpus/article-1x1', '--backend', backend, '--timeout', '500'],
    ]) {
      const io = capture();
      expect(await main(argv, io), argv.join(' ')).toBe(1);
      expect(`${io.text()}\n${io.errors()}`, argv[0]).toMatch(/(no reply|did not answer) within 500 ms/);
    }
  });
});
