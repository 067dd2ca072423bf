// One thread of the machine limit (see limit.mjs): say ready, wait for "go", digest every sample entry `passes`
// times from memory, starting at entry `first`, report the uncompressed byte count.
import { parentPort, workerData } from 'node:worker_threads';
import { digestEntry } from './limit-work.mjs';

const { shared, entries, first, passes } = workerData;
parentPort.once('message', () => {
  let bytes = 0;
  for (let pass = 0; pass < passes; pass++) {
    for (let i = 0; i < entries.length; i++)
      bytes += digestEntry(shared, entries[(first + i) % entries.length]);
  }
  parentPort.postMessage({ bytes });
});
parentPort.postMessage('ready');
