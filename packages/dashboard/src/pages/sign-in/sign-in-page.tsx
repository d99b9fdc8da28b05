import { useId, useState, type FormEvent } from 'react';
import { useSession } from '../../session/session';

/** Sign-in with an API token; the token stays in this browser tab only. */
export function SignInPage() {
  const { signIn, endedBecause } = useSession();
  const [token, setToken] = useState('');
  const [error, setError] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  const tokenId = useId();
  const helpId = useId();

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      await signIn(token);
    } catch (failure) {
      setError(failure instanceof Error ? failure.message : String(failure));
      setBusy(false);
    }
  };

  return (
    <main className="sign-in">
      <form onSubmit={(event) => void submit(event)} aria-labelledby="sign-in-title">
        <h1 id="sign-in-title">Sign in to Gantry</h1>
        {endedBecause && (
          <p role="status" className="notice warn">
            {endedBecause}
          </p>
        )}
        <label htmlFor={tokenId} className="field">
          <span>API token</span>
          <input
            id={tokenId}
            type="password"
            autoComplete="off"
            spellCheck={false}
            value={token}
            onChange={(event) => setToken(event.target.value)}
            aria-describedby={helpId}
            aria-invalid={error !== undefined}
            required
          />
        </label>
        <p id={helpId} className="muted small">
          Create one with <code>gantry token create --name you --role approver</code>. On a first start, the
          admin token is in <code>.gantry/data/admin-token</code>. It is kept for this browser tab only.
        </p>
        {error && (
          <p role="alert" className="error-text">
            {error}
          </p>
        )}
        <button type="submit" className="button primary" disabled={busy}>
          {busy ? 'Checking…' : 'Sign in'}
        </button>
      </form>
    </main>
  );
}
