/** Worker thread entry: reads the range in `workerData` and posts the result back (range-reader.ts). */
import { parentPort, workerData } from 'node:worker_threads';
import type { RangeJob } from './range-protocol.js';
import { readRange } from './range-reader.js';

const port = parentPort;
if (port !== null) {
  readRange(workerData as RangeJob).then(
    (result) => port.postMessage({ ok: true, result }),
    (error: unknown) =>
      port.postMessage({ ok: false, message: error instanceof Error ? error.message : String(error) }),
  );
}
