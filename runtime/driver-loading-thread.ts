/** The thread of runtime/driver-loading.ts: checks the driver folders it is given and posts the report. */
import { parentPort, workerData } from 'node:worker_threads';
import { checkDrivers } from '../driver-spec/load.js';

parentPort!.postMessage(await checkDrivers(workerData as string[]));
