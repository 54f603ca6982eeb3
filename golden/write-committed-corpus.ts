/**
 * Regenerates the committed small corpora, golden/corpus/ (Conv, ConvTranspose) and
 * golden/corpus-quantized/ (ConvInteger, QLinearConv), after a deliberate change to the cases, the
 * formats or the reference: `npx tsx golden/write-committed-corpus.ts`. generate.test.ts and
 * quantized-generate.test.ts fail while a committed corpus differs from what the code generates.
 */
import { fileURLToPath } from 'node:url';
import { generateCorpus } from './generate.ts';
import { generateQuantizedCorpus } from './quantized-generate.ts';

/** Where the committed small corpus lives. */
export const COMMITTED_CORPUS_DIR = fileURLToPath(new URL('./corpus/', import.meta.url));

/** Where the committed small quantized corpus lives. */
export const COMMITTED_QUANTIZED_CORPUS_DIR = fileURLToPath(new URL('./corpus-quantized/', import.meta.url));

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  const manifest = await generateCorpus({
    outDir: COMMITTED_CORPUS_DIR,
    corpus: 'small',
    onCase: ({ case: c, index, total, bytes }) => console.log(`${index + 1}/${total} ${c.name} (${bytes} bytes)`),
  });
  console.log(`wrote ${manifest.cases.length} cases to ${COMMITTED_CORPUS_DIR}`);
  const quantized = await generateQuantizedCorpus({
    outDir: COMMITTED_QUANTIZED_CORPUS_DIR,
    corpus: 'small',
    onCase: ({ case: c, index, total, bytes }) => console.log(`${index + 1}/${total} ${c.name} (${bytes} bytes)`),
  });
  console.log(`wrote ${quantized.cases.length} quantized cases to ${COMMITTED_QUANTIZED_CORPUS_DIR}`);
}
