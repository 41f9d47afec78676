/** Pause used by in-place retries and fail-closed holds. */
export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
