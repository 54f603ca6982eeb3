/**
 * Simulates float32 sums of n products with round-to-nearest and with truncation, and prints the
 * statistics compare/judge.ts checks (mean(z·sign y), mean(z²), z = err/(u·S·√((n+1)/3))), the
 * numbers behind the README's derivation of the limits: `npx tsx bench/rounding-statistics.ts`.
 */
import { Random } from '../problem/random.ts';
import { truncateToFloat32 } from '../properties/mutants.ts';

const U = 2 ** -24;

/** mean(z·sign y) and mean(z²) over `sums` sums of n products of values from `draw`, accumulated with `round`. */
function statistics(n: number, sums: number, draw: () => number, round: (v: number) => number): { mean: number; meanSquare: number } {
  let sumSigned = 0, sumSquare = 0;
  for (let t = 0; t < sums; t++) {
    let acc = 0, exact = 0, S = 0;
    for (let j = 0; j < n; j++) {
      const p = Math.fround(draw()) * Math.fround(draw());
      exact += p; S += Math.abs(p);
      acc = round(acc + p);
    }
    const z = (acc - exact) / (U * S * Math.sqrt((n + 1) / 3));
    sumSigned += z * Math.sign(exact);
    sumSquare += z * z;
  }
  return { mean: sumSigned / sums, meanSquare: sumSquare / sums };
}

const rng = new Random(2026);
const SUMS = 5000;
console.log(`${SUMS} sums each; mean limit 6/√N = ${(6 / Math.sqrt(SUMS)).toFixed(3)}, mean(z²) limit 2`);
for (const [data, draw] of [['mixed signs [-1, 1)', () => rng.next() * 2 - 1], ['positive [0, 1)', () => rng.next()]] as const) {
  for (const [rounding, round] of [['to nearest', Math.fround], ['truncated', truncateToFloat32]] as const) {
    for (const n of [4, 9, 36, 144]) {
      const s = statistics(n, SUMS, draw, round);
      console.log(`${data.padEnd(19)} ${rounding.padEnd(10)} n=${String(n).padEnd(4)} mean(z·sign y) ${s.mean.toFixed(4).padStart(8)}  mean(z²) ${s.meanSquare.toFixed(4)}`);
    }
  }
}
