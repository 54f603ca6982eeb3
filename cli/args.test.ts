import { describe, expect, it } from 'vitest';
import { intFlag, parseArgs, UsageError } from './args.ts';

const spec = { values: ['seed', 'backend'], booleans: ['json'] };

describe('parseArgs', () => {
  it('reads values, booleans and positionals in both flag forms', () => {
    const a = parseArgs('run', ['mb1ic1iw3oc1kw1', '--seed', '7', '--backend=onnxruntime', '--json'], spec);
    expect(a.positionals).toEqual(['mb1ic1iw3oc1kw1']);
    expect(a.values.get('seed')).toBe('7');
    expect(a.values.get('backend')).toBe('onnxruntime');
    expect(a.booleans.has('json')).toBe(true);
  });

  it('takes an argument with one hyphen or a typographic dash for the flag it looks like, not for stray arguments', () => {
    expect(() => parseArgs('run', ['mb1ic1iw3oc1kw1', '-seed', '5'], spec)).toThrow('convcheck run: unknown flag "-seed": flags start with two hyphens (--seed).');
    expect(() => parseArgs('run', ['\u2014seed', '5'], spec)).toThrow('unknown flag "\u2014seed": flags start with two hyphens (--seed).');
    expect(parseArgs('run', ['--seed', '-5'], spec).values.get('seed')).toBe('-5');
  });

  it('rejects an unknown flag, naming it', () => {
    expect(() => parseArgs('run', ['--sed', '1'], spec)).toThrow(/unknown flag "--sed"/);
    expect(() => parseArgs('run', ['--sed', '1'], spec)).toThrow(UsageError);
  });

  it('rejects a value flag without its value and a boolean with one', () => {
    expect(() => parseArgs('run', ['--seed'], spec)).toThrow(/--seed needs a value/);
    expect(() => parseArgs('run', ['--seed', '--json'], spec)).toThrow(/--seed needs a value/);
    expect(() => parseArgs('run', ['--json=yes'], spec)).toThrow(/--json takes no value/);
  });

  it('refuses a value flag given twice, which would silently drop the first (a gate passing without the backend named first)', () => {
    expect(() => parseArgs('gate', ['--backend', 'reference', '--backend', 'onnxruntime'], spec)).toThrow(/--backend is given twice \("reference" and "onnxruntime"\); give it once \(several backends: a comma-separated list/);
    expect(() => parseArgs('gate', ['--seed=1', '--seed', '2'], spec)).toThrow(UsageError);
  });

  it('quotes a long argument cut to 200 characters with its length, not whole', () => {
    const long = `--${'x'.repeat(100_000)}`;
    let message = '';
    try { parseArgs('run', [long], spec); } catch (error) { message = (error as Error).message; }
    expect(message).toMatch(/unknown flag "--x{198}"\.\.\. \(99802 more characters\)/);
    expect(message.length).toBeLessThan(1000);
  });

  it('checks integer flags', () => {
    expect(intFlag(parseArgs('gate', ['--seed', '3'], spec), 'gate', 'seed', 1)).toBe(3);
    expect(() => intFlag(parseArgs('gate', ['--seed', '2.5'], spec), 'gate', 'seed', 1)).toThrow(/--seed must be an integer from 1 to 2147483647, but got "2.5"/);
    // past 2^31-1 a timer fires at once (the audit's --timeout 1e30 failed every call within 1 ms)
    for (const raw of ['3000000000', '1e30', '1e3', '0x10', '']) {
      expect(() => intFlag(parseArgs('gate', [`--seed=${raw}`], spec), 'gate', 'seed', 1), raw).toThrow(`--seed must be an integer from 1 to 2147483647, but got "${raw}"`);
    }
    expect(intFlag(parseArgs('gate', ['--seed', '2147483647'], spec), 'gate', 'seed', 1)).toBe(2 ** 31 - 1);
  });
});
