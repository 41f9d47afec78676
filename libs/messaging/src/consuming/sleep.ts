/** Pause used by in-place retries and fail-closed holds: Node's promise timer, under one name. */
export { setTimeout as sleep } from 'node:timers/promises';
