/**
 * JUnit XML for CI systems: one testsuite per law and one for the golden corpus, one testcase per case;
 * fail and error become <failure> and <error>, unsupported and weak become <skipped> with their reason.
 */
import type { ReportCase } from './report-model.ts';

const xml = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** Renders cases as a JUnit XML document. */
export function renderJUnit(suiteName: string, cases: readonly ReportCase[]): string {
  const bySuite = new Map<string, ReportCase[]>();
  const suiteOf = (c: ReportCase): string => (c.source === 'golden' ? 'golden corpus' : c.source === 'batch' ? 'benchdnn batch' : c.source === 'error-input' ? 'error inputs' : c.name);
  for (const c of cases) bySuite.set(suiteOf(c), [...(bySuite.get(suiteOf(c)) ?? []), c]);
  const count = (list: readonly ReportCase[], v: string): number => list.filter((c) => c.verdict === v).length;
  const out: string[] = ['<?xml version="1.0" encoding="UTF-8"?>'];
  out.push(`<testsuites name="${xml(suiteName)}" tests="${cases.length}" failures="${count(cases, 'fail')}" errors="${count(cases, 'error')}" skipped="${count(cases, 'unsupported') + count(cases, 'weak')}">`);
  for (const [name, list] of bySuite) {
    out.push(`  <testsuite name="${xml(name)}" tests="${list.length}" failures="${count(list, 'fail')}" errors="${count(list, 'error')}" skipped="${count(list, 'unsupported') + count(list, 'weak')}">`);
    for (const c of list) {
      const open = `    <testcase classname="${xml(c.backend)}.${xml(c.convType)}" name="${xml(c.source === 'golden' ? `${c.name.replace(/^golden /, '')} ${c.descriptor}` : c.source === 'batch' ? `${c.name} ${c.descriptor}` : c.source === 'error-input' ? `${c.name.replace(/^error input /, '')} ${c.descriptor}` : c.descriptor)}" time="${(c.timeMs / 1000).toFixed(3)}"`;
      const detail = xml(`${c.message ?? ''}${c.replay ? `\nreplay: ${c.replay}` : ''}`);
      if (c.verdict === 'fail') out.push(`${open}><failure message="${xml(c.message ?? 'over tolerance')}">${detail}</failure></testcase>`);
      else if (c.verdict === 'error') out.push(`${open}><error message="${xml(c.message ?? 'error')}">${detail}</error></testcase>`);
      else if (c.verdict === 'unsupported') out.push(`${open}><skipped message="unsupported: ${xml(c.message ?? '')}"/></testcase>`);
      else if (c.verdict === 'weak') out.push(`${open}><skipped message="weak: ${xml(c.message ?? '')}"/></testcase>`);
      else if (c.verdict === 'known') out.push(`${open}><system-out>known discrepancy: ${xml(c.message ?? '')}</system-out></testcase>`);
      else out.push(`${open}/>`);
    }
    out.push('  </testsuite>');
  }
  out.push('</testsuites>');
  return out.join('\n') + '\n';
}
