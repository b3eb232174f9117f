/**
 * The error every stub throws until the learner writes the method. It names
 * the exercise and the method, so the first red test says what to do next.
 */
export class NotImplementedError extends Error {
  override name = 'NotImplementedError';
  constructor(exercise: string, what: string) {
    super(`Not implemented yet: ${what} (exercise ${exercise}). Open exercises/${exercise}/README.md for the formula and hints.`);
  }
}
