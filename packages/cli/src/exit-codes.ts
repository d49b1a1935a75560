// Exit codes are part of the CLI's contract: pipelines branch on them. Documented in README "Pipelines".

export const EXIT = {
  ok: 0,
  /** The API answered with a problem, or could not be reached. */
  apiError: 1,
  /** Bad arguments, options or plan file: nothing was sent that changes anything. */
  usage: 2,
  /** `bookings wait --timeout` ran out while the booking was still scheduled, held or running. */
  timeout: 3,
} as const;

/** `bookings wait`: one code per final state, so a pipeline can tell them apart. */
export const WAIT_EXIT: Readonly<Record<string, number>> = {
  completed: 0,
  failed: 10,
  skipped: 11,
  cancelled: 12,
  missed: 13,
  invalidated: 14,
  "not-needed": 15,
};

/** A final state this version does not know (the service may add states): a failure, but a distinct one. */
export const WAIT_EXIT_OTHER_FINAL_STATE = 19;

export const waitExitCode = (state: string): number => WAIT_EXIT[state] ?? WAIT_EXIT_OTHER_FINAL_STATE;

/** Wrong use of the CLI (exit 2): the message says what to change. */
export class UsageError extends Error {
  override readonly name = "UsageError";
}
