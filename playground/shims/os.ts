/** `node:os` in the browser: one core, so the kernels run on the page's own thread. */
export const availableParallelism = (): number => 1;
export const cpus = (): object[] => [{}];
export default { availableParallelism, cpus };
