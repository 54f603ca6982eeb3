/**
 * The benchdnn batch files of golden/benchdnn/ (real layers of published networks, written for
 * convcheck from the papers, as golden/networks.ts is): each parses, each layer the two share is
 * the same problem in both, and the data-gradient direction is the reference's adjoint.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { readBatchFile, type BatchCase } from '../problem/batch-file.ts';
import { withChanges, type ConvProblem } from '../problem/problem.ts';
import { outputSpatialShape, resolvePads } from '../problem/shape.ts';
import { adjointProblem } from '../reference/conv-transpose.ts';
import { NETWORK_LAYERS } from './networks.ts';

const DIR = join(import.meta.dirname, 'benchdnn');
const FILES = readdirSync(DIR).filter((f) => f.endsWith('.batch')).sort();

/** What makes two problems the same computation: attributes with the pads resolved (auto_pad written out), no name or bias. */
function computation(p: ConvProblem): unknown {
  return {
    op: p.op, batch: p.batch, group: p.group, inChannels: p.inChannels, outChannels: p.outChannels, inputShape: p.inputShape,
    kernelShape: p.kernelShape, strides: p.strides, dilations: p.dilations, pads: resolvePads(p), output: outputSpatialShape(p),
  };
}

const all = readBatchFile(join(DIR, 'networks.batch')).cases;
const byName = (name: string): BatchCase => {
  const found = all.find((c) => c.name === name);
  if (found === undefined) throw new Error(`no case ${name}`);
  return found;
};

describe('golden/benchdnn batch files', () => {
  test.each(FILES)('%s parses, with no notes, every case named', (file) => {
    const parsed = readBatchFile(join(DIR, file));
    expect(parsed.notes).toEqual([]);
    expect(parsed.cases.length).toBeGreaterThan(0);
    for (const c of parsed.cases) expect(c.name).toMatch(/^[a-z0-9_]+:/);
  });

  test('networks.batch includes every other file, each from --reset', () => {
    const counts = Object.fromEntries(FILES.filter((f) => f !== 'networks.batch').map((f) => [f, readBatchFile(join(DIR, f)).cases.length]));
    expect(all.length).toBe(Object.values(counts).reduce((a, b) => a + b, 0));
    expect(counts).toEqual({ 'c3d.batch': 7, 'dcgan_generator.batch': 5, 'lenet5.batch': 5, 'mobilenet_v1.batch': 19, 'resnet50.batch': 20, 'wavenet.batch': 10 });
  });

  test.each([
    ['resnet50-conv1', 'resnet50:conv1'],
    ['resnet50-conv2-3x3', 'resnet50:conv2-3x3'],
    ['resnet50-conv2-1x1-expand', 'resnet50:conv2-expand'],
    ['resnet50-conv3-1-downsample', 'resnet50:conv3_1-reduce'],
    ['resnet50-conv5-3x3', 'resnet50:conv5-3x3'],
    ['mobilenet-v1-dw1', 'mobilenet_v1:dw1'],
    ['mobilenet-v1-pw1', 'mobilenet_v1:pw1'],
    ['mobilenet-v1-dw2-s2', 'mobilenet_v1:dw2-s2'],
    ['mobilenet-v1-pw2', 'mobilenet_v1:pw2'],
    ['dcgan-generator-conv1', 'dcgan:g-conv1'],
    ['wavenet-dilation1', 'wavenet:dilation1'],
    ['wavenet-dilation64', 'wavenet:dilation64'],
    ['wavenet-dilation512', 'wavenet:dilation512'],
    ['c3d-conv5a', 'c3d:conv5a'],
  ])('golden/networks.ts %s and the batch files\' %s are the same computation', (golden, batch) => {
    const layer = NETWORK_LAYERS.find((l) => l.name === golden);
    if (layer === undefined) throw new Error(`no golden layer ${golden}`);
    expect(computation(byName(batch).problem)).toEqual(computation(layer.problem));
  });

  test('a conv\'s BWD_D case is the reference\'s adjoint of its forward problem', () => {
    const forward = byName('lenet5:C3').problem;
    const data = byName('lenet5:C3 (BWD_D)').problem;
    expect(computation(data)).toEqual(computation(adjointProblem(withChanges(forward, { bias: false }))));
  });

  test('a deconv\'s BWD_D case is the conv whose adjoint the deconv is', () => {
    const deconv = byName('dcgan:g-conv1').problem;
    const data = byName('dcgan:g-conv1 (BWD_D)').problem;
    expect(data.op).toBe('conv');
    expect(computation(adjointProblem(data))).toEqual(computation(deconv));
  });
});
