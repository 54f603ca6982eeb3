import { describe, expect, it } from 'vitest';
import { main } from './main.ts';
import { memoryIo } from './output.ts';

const capture = memoryIo;

describe('convcheck CLI', () => {
  it('prints help, and exits 2 on an unknown command', async () => {
    const io = capture();
    expect(await main(['--help'], io)).toBe(0);
    expect(io.text()).toMatch(/Commands:[\s\S]*run[\s\S]*cost/);
    const bad = capture();
    expect(await main(['frobnicate'], bad)).toBe(2);
    expect(bad.errors()).toMatch(/unknown command "frobnicate"/);
    // no command, or golden without its subcommand: usage errors on stderr like the others (they went to stdout)
    for (const argv of [[], ['golden']]) {
      const none = capture();
      expect(await main(argv, none)).toBe(2);
      expect(none.text()).toBe('');
      expect(none.errors()).toMatch(/^convcheck( golden)?: a (sub)?command is needed/);
    }
  });

  it('cost reproduces the article: 86,400 vs 675 + 9,600 and 81 vs 45 + 27', async () => {
    const io = capture();
    expect(await main(['cost', 'mb1ic3ih7iw7oc128kh3kw3'], io)).toBe(0);
    expect(io.text()).toMatch(/multiplications \(dense, article\)\s+86,400/);
    expect(io.text()).toMatch(/depthwise separable\s+10,275\s+\S+\s+depthwise 675 \+ pointwise 9,600/);
    const single = capture();
    expect(await main(['cost', 'mb1ic1ih5iw5oc1kh3kw3'], single)).toBe(0);
    expect(single.text()).toMatch(/spatially separable, per channel\s+72\s+6\s+steps 45 \+ 27 vs 81/);
  });

  it('a malformed descriptor or an unknown flag is a usage error (exit 2) naming what is wrong', async () => {
    const io = capture();
    expect(await main(['cost', 'mb1ic1iw5oc1kw3kh3'], io)).toBe(2);
    expect(io.errors()).toMatch(/field "kh" names an axis a 1-D problem does not have/);
    const flag = capture();
    expect(await main(['run', 'mb1ic1iw5oc1kw3', '--bogus'], flag)).toBe(2);
    expect(flag.errors()).toMatch(/unknown flag "--bogus"/);
    const mode = capture();
    expect(await main(['run', 'mb1ic1iw5oc1kw3', '--mode', 'fuzzy', '--backend', 'reference'], mode)).toBe(2);
    expect(mode.errors()).toMatch(/--mode must be one of exact, real, .*, but got "fuzzy"/);
  });

  it('run compares a backend with the reference and prints the worst element', async () => {
    const io = capture();
    expect(await main(['run', 'g2mb1ic4ih5iw5oc6kh3kw3ph1pw1', '--mode', 'exact', '--backend', 'reference'], io)).toBe(0);
    expect(io.text()).toMatch(/reference\s+pass\s+0\s+0\s+0/);
  });
});
