// Credentials never reach logs, errors or API responses. URLs are the usual
// leak (postgres://user:secret@host, amqp://guest:guest@host), so every URL
// that is printed goes through redactUrl, and free text through redactText.

export const REDACTED = '***';

export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = REDACTED;
    for (const name of [...parsed.searchParams.keys()]) {
      if (isSecretName(name)) parsed.searchParams.set(name, REDACTED);
    }
    return parsed.toString();
  } catch {
    return redactText(url);
  }
}

// scheme://user:password@ anywhere in a string, e.g. inside an error message.
const CREDENTIALS_IN_URL = /([a-z][a-z0-9+.-]*:\/\/[^\s:/@]*:)[^\s@/]+@/gi;

// Gantry's own API tokens (gty_ + 43 base64url characters), wherever they turn up in text.
const API_TOKEN = /\bgty_[A-Za-z0-9_-]{43}\b/g;

export function redactText(text: string): string {
  return text.replace(CREDENTIALS_IN_URL, `$1${REDACTED}@`).replace(API_TOKEN, `gty_${REDACTED}`);
}

const SECRET_NAME =
  /(pass(word)?|secret|token|api[-_]?key|authorization|credential|private[-_]?key|cookie|signature)/i;

export function isSecretName(name: string): boolean {
  return SECRET_NAME.test(name);
}
