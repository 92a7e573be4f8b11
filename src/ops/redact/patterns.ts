// Token formats the recommended secretlint preset does not cover, as data for
// secretlint's own pattern rule (the same engine runs them). Each is the
// documented shape of a credential (prefix, alphabet, length), written after
// the providers' and gitleaks' published formats; the `kind` is what a marker
// names. Values that merely sit next to a key word are the pairs below and
// the entropy check (entropy.ts).

export interface SecretPattern {
  /** What the marker names: `[REDACTED:<kind>:…]`. */
  kind: string;
  /** A JavaScript regular expression literal (`/…/flags`); its whole match is the secret. */
  pattern: string;
}

export const TOKEN_PATTERNS: readonly SecretPattern[] = [
  // Payment.
  { kind: 'stripe-key', pattern: String.raw`/\b(?:sk|rk)_(?:live|test)_[0-9A-Za-z]{20,247}\b/` },
  { kind: 'stripe-webhook-secret', pattern: String.raw`/\bwhsec_[0-9A-Za-z]{24,64}\b/` },
  { kind: 'square-token', pattern: String.raw`/\b(?:EAAA|sq0atp-|sq0csp-)[0-9A-Za-z_-]{22,60}\b/` },
  // AI providers (older or newer shapes than the preset's).
  { kind: 'openai-key', pattern: String.raw`/\bsk-(?:proj-|svcacct-|admin-)?[A-Za-z0-9_-]{40,200}\b/` },
  { kind: 'google-api-key', pattern: String.raw`/\bAIza[0-9A-Za-z_-]{35}\b/` },
  { kind: 'xai-key', pattern: String.raw`/\bxai-[0-9A-Za-z]{60,100}\b/` },
  { kind: 'replicate-token', pattern: String.raw`/\br8_[0-9A-Za-z]{37}\b/` },
  // Chat and messaging.
  { kind: 'telegram-bot-token', pattern: String.raw`/\b\d{8,10}:AA[0-9A-Za-z_-]{33}\b/` },
  { kind: 'discord-bot-token', pattern: String.raw`/\b[MNO][A-Za-z\d_-]{23,25}\.[A-Za-z\d_-]{6}\.[A-Za-z\d_-]{27,38}\b/` },
  { kind: 'twilio-key', pattern: String.raw`/\bSK[0-9a-f]{32}\b/` },
  { kind: 'mailgun-key', pattern: String.raw`/\bkey-[0-9a-f]{32}\b/` },
  { kind: 'mailchimp-key', pattern: String.raw`/\b[0-9a-f]{32}-us\d{1,2}\b/` },
  // Clouds and platforms.
  // AWS's documentation keys end in EXAMPLE: those are no secret.
  { kind: 'aws-access-key-id', pattern: String.raw`/\b(?:AKIA|ASIA|ABIA|ACCA)(?![0-9A-Z]*EXAMPLE)[0-9A-Z]{16}\b/` },
  { kind: 'azure-storage-key', pattern: '/(?<=AccountKey=)[A-Za-z0-9+/]{86}==/' },
  { kind: 'digitalocean-token', pattern: String.raw`/\bdo[opr]_v1_[0-9a-f]{64}\b/` },
  {
    kind: 'heroku-key',
    pattern: String.raw`/(?<=HEROKU_API_KEY\s*[=:]\s*["']?)[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/`,
  },
  { kind: 'pypi-token', pattern: String.raw`/\bpypi-AgEIcHlwaS5vcmc[0-9A-Za-z_-]{50,}\b/` },
  { kind: 'sentry-token', pattern: String.raw`/\bsntrys_[0-9A-Za-z+/=_-]{40,}/` },
  { kind: 'atlassian-token', pattern: String.raw`/\bATATT3[0-9A-Za-z_=-]{180,}\b/` },
  { kind: 'supabase-key', pattern: String.raw`/\bsbp_[0-9a-f]{40}\b/` },
  // Signed tokens: a JSON Web Token (header.payload.signature, both JSON parts base64url of '{"').
  { kind: 'jwt', pattern: String.raw`/\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{16,}/` },
  // Credentials in a request: a bearer token, a basic-auth header.
  { kind: 'bearer-token', pattern: String.raw`/(?<=\b[Aa]uthorization:\s*[Bb]earer\s+)[A-Za-z0-9._~+/=-]{16,}/` },
  { kind: 'basic-auth-header', pattern: String.raw`/(?<=\b[Aa]uthorization:\s*[Bb]asic\s+)[A-Za-z0-9+/=]{12,}/` },
  // Connection strings the preset misses.
  { kind: 'connection-string', pattern: String.raw`/(?<=\b(?:redis|rediss|amqp|amqps|mssql|sqlserver):\/\/[^:/@\s]*:)[^@\s]{3,}(?=@)/` },
];
