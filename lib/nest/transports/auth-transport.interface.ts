import type { ArgumentsHost, ExecutionContext } from '@nestjs/common';

/** `Authorization`-style values (`Bearer <token>`), one entry per place a credential was found. */
export type Credentials = string | readonly string[] | undefined;

/**
 * What `RakomiAuthGuard` needs to know about one Nest transport (`context.getType()`): where the
 * token is, which object the verified claims belong to, and what a refusal looks like there.
 */
export interface AuthTransport {
  /** The object the verified claims are recorded on for `@CurrentUser()`: request, operation, socket or message context. */
  claimsHolder(host: ArgumentsHost): object | undefined;
  /**
   * The credential(s) of this call, given its {@link claimsHolder} (read once per call); more than one
   * entry is refused as ambiguous (400 `token/malformed`).
   */
  credentials(context: ExecutionContext, holder: object | undefined): Credentials;
  /**
   * Throws (or rejects with) what the guard raises for a failed check: the `RakomiError` itself where the
   * module's exception filter answers (HTTP, GraphQL), else the transport's own exception (ws, rpc), which
   * Nest's built-in filters deliver without an ERROR log. `holder` is this call's {@link claimsHolder}.
   */
  refuse(error: unknown, holder: object | undefined): never | Promise<never>;
}
