/** Thrown for every bad argument or input in the kata (lib/checks.ts writes the messages). */
export class KataInputError extends Error {
  override name = 'KataInputError';
}
