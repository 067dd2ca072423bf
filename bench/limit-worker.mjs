// One thread of a machine limit (see limit-run.mjs): load the limit's work function, say ready, wait for
// "go", run it over every sample item `passes` times from memory, starting at item `first`, report the bytes.
import { parentPort, workerData } from 'node:worker_threads';

const { module, name, shared, items, first, passes } = workerData;
const work = (await import(module))[name];
parentPort.once('message', () => {
  let bytes = 0;
  for (let pass = 0; pass < passes; pass++) {
    for (let i = 0; i < items.length; i++) bytes += work(shared, items[(first + i) % items.length]);
  }
  parentPort.postMessage({ bytes });
});
parentPort.postMessage('ready');
