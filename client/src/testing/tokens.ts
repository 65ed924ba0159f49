/** JWTs shaped like simplejwt's (the signature is not checked by the client). */
let counter = 0;

function base64url(value: unknown): string {
  return btoa(JSON.stringify(value)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** An access token valid for `lifetimeS` seconds from `issuedAt` (epoch seconds, server clock). */
export function fakeAccessToken({
  lifetimeS = 300,
  issuedAt = Math.floor(Date.now() / 1000),
  userId = 1,
} = {}): string {
  counter += 1;
  const claims = {
    token_type: 'access',
    exp: issuedAt + lifetimeS,
    iat: issuedAt,
    jti: `jti-${counter}`,
    user_id: userId,
  };
  return `${base64url({ alg: 'HS256', typ: 'JWT' })}.${base64url(claims)}.signature${counter}`;
}

/** A refresh token: opaque to the client, unique per call. */
export function fakeRefreshToken(): string {
  counter += 1;
  return `refresh-${counter}`;
}

export function fakeTokenPair(options: Parameters<typeof fakeAccessToken>[0] = {}) {
  return { access: fakeAccessToken(options), refresh: fakeRefreshToken() };
}
