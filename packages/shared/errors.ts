/** A problem with an action input: reported as one line, before any side effect. */
export class InputError extends Error {
  override readonly name = 'InputError';
  constructor(
    readonly input: string,
    detail: string,
  ) {
    super(`input '${input}' ${detail}`);
  }
}

export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  if (typeof error === 'string') return error;
  try {
    return JSON.stringify(error) ?? String(error);
  } catch {
    return String(error);
  }
}
