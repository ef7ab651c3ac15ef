// The one error pure domain code throws: input that breaks a rule. The HTTP layer renders it as a 400.
export class InvalidInput extends Error {
  constructor(
    readonly problems: string[],
    readonly code = "VALIDATION_FAILED",
  ) {
    super(problems.length === 1 ? problems[0] : `${problems.length} problems: ${problems.join("; ")}`);
    this.name = "InvalidInput";
  }
}

/** Throws InvalidInput when `problems` is not empty. */
export function assertNoProblems(problems: string[], code?: string): void {
  if (problems.length > 0) throw new InvalidInput(problems, code);
}
