// The error pure domain code throws: input that breaks a rule (400, `details` listing every problem).
import { AppError, type ErrorCode } from "../errors.js";

export class InvalidInput extends AppError {
  constructor(
    readonly problems: string[],
    code: ErrorCode = "VALIDATION_FAILED",
  ) {
    super(code, problems.length === 1 ? problems[0]! : `${problems.length} problems: ${problems.join("; ")}`, problems);
    this.name = "InvalidInput";
  }
}

/** Throws InvalidInput when `problems` is not empty. */
export function assertNoProblems(problems: string[], code?: ErrorCode): void {
  if (problems.length > 0) throw new InvalidInput(problems, code);
}
