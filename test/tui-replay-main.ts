/**
 * Runs the live screen on a ReplayFeed of four samples taken from a fake
 * /proc 20 s apart (lekker growing 150 MiB each time), for tui-replay.test.ts.
 * Usage: node --import tsx test/tui-replay-main.ts
 */
import { defaultThresholds, viewByName, type Config } from '../src/config.js';
import { Sampler } from '../src/reader/sampler.js';
import { ReplayFeed, type SampleStore } from '../src/run/feed.js';
import type { Sample } from '../src/sample.js';
import { runTui } from '../src/view/tui.js';
import { lekkerGrown, makeFakeProc, writeFakeProc } from './tui-fakeproc.js';

export const START = new Date(2010, 2, 2, 15, 12, 12).getTime();

const fake = makeFakeProc();
const samples: Sample[] = [];
try {
  for (let k = 0; k < 4; k++) {
    writeFakeProc(fake.dir, lekkerGrown(150 * k, 20 * k));
    samples.push(new Sampler({ proc: fake.dir, sys: '/nonexistent', now: () => START + 20_000 * k }).sample());
  }
} finally {
  fake.remove();
}

const store: SampleStore = {
  length: samples.length,
  get: (i) => samples[i],
  startsRun: (i) => i === 0,
  timeOf: (i) => samples[i]!.time,
};

const view = viewByName('memory');
const config: Config = {
  interval: 10, proc: '/proc', sys: '/sys', mode: 'tui', width: 80, view, sort: 'RGROW', all: false, color: true,
  thresholds: defaultThresholds(), keep: 28, top: 20,
};
await runTui(new ReplayFeed(store, config.thresholds), config);
