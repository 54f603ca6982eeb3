import { describe, expect, it } from 'vitest';
import type { Io } from './output.ts';
import { Progress } from './progress.ts';

function terminal(): Io & { statuses: string[] } {
  const statuses: string[] = [];
  return { out: () => undefined, err: () => undefined, isTTY: true, status: (l) => statuses.push(l), statuses };
}

describe('Progress on a terminal', () => {
  it('with an unknown total (0, what gate and report pass) counts steps without a bar and never throws', () => {
    // before: the bar was sized done/max(1, total)·24, so the second tick asked '.'.repeat(-24): a
    // RangeError inside the law runner's onCase, which turned every later law into a bogus FAILED block
    const io = terminal();
    const p = new Progress(io, 0, 'gate');
    for (let k = 0; k < 30; k++) expect(() => p.tick(`law ${k}`)).not.toThrow();
    expect(io.statuses[29]).toBe('gate 30 law 29');
  });

  it('with a known total fills the bar in proportion, and keeps it full past the total', () => {
    const io = terminal();
    const p = new Progress(io, 4, 'golden');
    p.tick('a');
    expect(io.statuses[0]).toBe(`golden [${'#'.repeat(6)}${'.'.repeat(18)}] 1/4 a`);
    for (let k = 0; k < 5; k++) p.tick('b');
    expect(io.statuses[5]).toBe(`golden [${'#'.repeat(24)}] 6/4 b`);
  });
});

describe('Progress in a log (not a TTY)', () => {
  it('prints one plain line per step, so a CI log shows which law is running', () => {
    const lines: string[] = [];
    const p = new Progress({ out: (l) => lines.push(l), err: () => undefined, isTTY: false }, 0, 'gate');
    p.tick('transposed conv is the adjoint of conv');
    p.tick('golden corpus');
    expect(lines).toEqual(['gate 1: transposed conv is the adjoint of conv', 'gate 2: golden corpus']);
  });
});
