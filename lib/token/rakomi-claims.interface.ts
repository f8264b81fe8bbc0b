/**
 * The verified claims of a Rakomi access token. Returned frozen (deeply): a guard or handler
 * cannot change what the issuer signed.
 *
 * Every required member is present, non-empty and of the documented type; any other claim the
 * token carries is kept as signed (`unknown`, check it before use).
 */
export interface RakomiClaims {
  /** User id. */
  readonly sub: string;
  /** Tenant the user belongs to. */
  readonly tenant_id: string;
  /** The user's e-mail address. */
  readonly email: string;
  /** Session id. */
  readonly sid: string;
  /** Issuer; equals the configured `issuer` option. */
  readonly iss: string;
  /** Audience(s); one of them matches the configured `audience` option unless it is `null`. */
  readonly aud: string | readonly string[];
  /** Expiry, Unix seconds. */
  readonly exp: number;
  /** Issued at, Unix seconds. */
  readonly iat: number;
  /** Token id. */
  readonly jti: string;
  /** Not before, Unix seconds, when present. */
  readonly nbf?: number;
  /** Any other signed claim. */
  readonly [claim: string]: unknown;
}
