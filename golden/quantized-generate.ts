/**
 * Generates a quantized corpus on disk (golden/quantized-cases.ts): one case directory at a time
 * (golden/quantized-case-files.ts), then its `manifest.json` (golden/quantized-manifest.ts). The
 * committed small one is golden/corpus-quantized/. Same inputs, same bytes on any machine.
 */
import type { FixtureFormat } from './case-files.ts';
import type { CorpusName } from './corpus.ts';
import { writeCorpus, type CaseProgress } from './generate.ts';
import { quantizedCaseFiles } from './quantized-case-files.ts';
import { quantizedCorpusCases, type QuantizedGoldenCase } from './quantized-cases.ts';
import { formatQuantizedManifest, QUANTIZED_CONVENTIONS, QUANTIZED_MANIFEST_FORMAT, QUANTIZED_MANIFEST_VERSION, quantizedManifestCase, type QuantizedManifest, type QuantizedManifestCase } from './quantized-manifest.ts';

/** Options of {@link generateQuantizedCorpus}. */
export interface GenerateQuantizedOptions {
  readonly outDir: string;
  readonly corpus: CorpusName;
  readonly formats?: readonly FixtureFormat[];
  readonly names?: readonly string[];
  readonly onCase?: (progress: CaseProgress<QuantizedGoldenCase>) => void;
}

/** Writes the quantized cases of `corpus` under `outDir` and their manifest; returns the manifest. */
export async function generateQuantizedCorpus(options: GenerateQuantizedOptions): Promise<QuantizedManifest> {
  // the same driver as the float corpus: formats, names, every case against the resource limits before anything is written
  return writeCorpus<QuantizedGoldenCase, QuantizedManifestCase, QuantizedManifest>(options, {
    cases: () => quantizedCorpusCases(options.corpus),
    label: `the quantized corpus ${options.corpus}`,
    conv: (c) => c.problem.conv,
    files: quantizedCaseFiles,
    entry: quantizedManifestCase,
    manifest: (formats, cases) => ({
      format: QUANTIZED_MANIFEST_FORMAT, version: QUANTIZED_MANIFEST_VERSION, corpus: options.corpus, formats, conventions: QUANTIZED_CONVENTIONS, cases,
    }),
    format: formatQuantizedManifest,
  });
}
