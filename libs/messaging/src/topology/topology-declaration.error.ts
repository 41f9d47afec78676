/** The broker refused a declaration (e.g. 406: a queue exists with other arguments). */
export class TopologyDeclarationError extends Error {
  override readonly name = 'TopologyDeclarationError';
  readonly reason = 'topology-declaration-failed';
  constructor(override readonly cause: unknown) {
    super(`Declaring broker topology failed: ${cause instanceof Error ? cause.message : String(cause)}`);
  }
}
