import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import type { OperationId } from '../api/operation-roles.gen';
import { may } from '../session/permissions';
import { useSession } from '../session/session';

// Every action that changes something goes through this: a button offered only
// to tokens whose role allows it, and a confirmation that says what will happen
// and asks why (the reason lands in the audit log and the promotion's timeline).

export interface ConfirmActionProps {
  /** The button's words, e.g. "Approve". */
  label: string;
  /** The API operation it calls: the button shows only if the token's role allows it. */
  operation: OperationId;
  /** The stage acted on, for tokens limited to some stages. */
  stage?: string;
  /** What will happen, in one sentence, shown in the confirmation. */
  consequence: string;
  /** Ask for a reason; default true. */
  reason?: 'required' | 'optional' | 'none';
  tone?: 'primary' | 'danger' | 'plain';
  onConfirm: (reason: string | undefined) => Promise<unknown>;
  /** Called after the action succeeded. */
  onDone?: () => void;
}

export function ConfirmAction(props: ConfirmActionProps) {
  const { session } = useSession();
  const [open, setOpen] = useState(false);
  if (!may(session, props.operation, props.stage)) return null;
  return (
    <>
      <button type="button" className={`button ${props.tone ?? 'plain'}`} onClick={() => setOpen(true)}>
        {props.label}
      </button>
      {open && <ConfirmDialog {...props} onClose={() => setOpen(false)} />}
    </>
  );
}

function ConfirmDialog(props: ConfirmActionProps & { onClose: () => void }) {
  const { label, consequence, onConfirm, onDone, onClose } = props;
  const reasonMode = props.reason ?? 'required';
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | undefined>();
  const titleId = useId();
  const reasonId = useId();
  const first = useRef<HTMLTextAreaElement & HTMLButtonElement>(null);
  const opener = useRef<Element | null>(null);

  useEffect(() => {
    opener.current = document.activeElement;
    first.current?.focus();
    const onKey = (event: KeyboardEvent) => {
      if (event.key === 'Escape') onClose();
    };
    document.addEventListener('keydown', onKey);
    return () => {
      document.removeEventListener('keydown', onKey);
      if (opener.current instanceof HTMLElement) opener.current.focus();
    };
  }, [onClose]);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const trimmed = reason.trim();
    if (reasonMode === 'required' && !trimmed) {
      setError('Say why: the reason is recorded with the action.');
      return;
    }
    setBusy(true);
    setError(undefined);
    try {
      await onConfirm(trimmed || undefined);
      onClose();
      onDone?.();
    } catch (failure) {
      setError(failure instanceof Error ? failure.message : String(failure));
      setBusy(false);
    }
  };

  return (
    <div className="modal-backdrop" onClick={onClose}>
      <form
        className="modal"
        role="dialog"
        aria-modal="true"
        aria-labelledby={titleId}
        onClick={(event) => event.stopPropagation()}
        onSubmit={(event) => void submit(event)}
      >
        <h2 id={titleId}>{label}?</h2>
        <p>{consequence}</p>
        {reasonMode !== 'none' && (
          <label htmlFor={reasonId} className="field">
            <span>Reason{reasonMode === 'optional' ? ' (optional)' : ''}</span>
            <textarea
              id={reasonId}
              ref={first}
              rows={3}
              value={reason}
              maxLength={2000}
              onChange={(event) => setReason(event.target.value)}
              aria-invalid={error !== undefined}
            />
          </label>
        )}
        {error && (
          <p role="alert" className="error-text">
            {error}
          </p>
        )}
        <div className="modal-actions">
          <button type="button" className="button plain" onClick={onClose} disabled={busy}>
            Cancel
          </button>
          <button type="submit" className={`button ${props.tone ?? 'primary'}`} disabled={busy}>
            {busy ? 'Working…' : label}
          </button>
        </div>
      </form>
    </div>
  );
}
