/** `node:worker_threads` in the browser: never used, since the os shim reports one core. */
export class Worker {
  constructor() {
    throw new Error('worker threads are not available in the browser playground');
  }
}
export default { Worker };
