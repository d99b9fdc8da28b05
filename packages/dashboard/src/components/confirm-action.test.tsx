import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { installFakeApi, type FakeApi } from '../testing/fake-api';
import { renderPage } from '../testing/render-page';
import { ConfirmAction } from './confirm-action';

let api: FakeApi;
beforeEach(() => {
  api = installFakeApi();
});
afterEach(() => api.restore());

describe('ConfirmAction', () => {
  it('is not offered to a role the operation does not allow', async () => {
    await renderPage(
      api,
      <ConfirmAction label="Approve" operation="approvePromotion" consequence="x" onConfirm={vi.fn()} />,
      { role: 'deployer' },
    );
    expect(screen.queryByRole('button', { name: 'Approve' })).toBeNull();
  });

  it('is not offered to a token limited to other stages', async () => {
    await renderPage(
      api,
      <ConfirmAction
        label="Approve"
        operation="approvePromotion"
        stage="prod"
        consequence="x"
        onConfirm={vi.fn()}
      />,
      { role: 'approver', stages: ['staging'] },
    );
    expect(screen.queryByRole('button', { name: 'Approve' })).toBeNull();
  });

  it('asks for a reason, passes it on, and shows the refusal when the server says no', async () => {
    const user = userEvent.setup();
    const onConfirm = vi
      .fn<(reason: string | undefined) => Promise<unknown>>()
      .mockRejectedValueOnce(
        new Error('promotion p1 is Succeeded; approve is only possible while it is WaitingForApproval'),
      )
      .mockResolvedValueOnce(undefined);
    await renderPage(
      api,
      <ConfirmAction
        label="Approve"
        operation="approvePromotion"
        stage="prod"
        consequence="2026.12.1 goes to prod."
        onConfirm={onConfirm}
      />,
      { role: 'approver' },
    );
    await user.click(screen.getByRole('button', { name: 'Approve' }));
    const dialog = within(screen.getByRole('dialog', { name: 'Approve?' }));
    expect(dialog.getByText('2026.12.1 goes to prod.')).toBeTruthy();
    await user.click(dialog.getByRole('button', { name: 'Approve' }));
    expect(screen.getByRole('alert').textContent).toMatch(/Say why/);
    expect(onConfirm).not.toHaveBeenCalled();

    await user.type(dialog.getByLabelText('Reason'), 'smoke tests green');
    await user.click(dialog.getByRole('button', { name: 'Approve' }));
    await waitFor(() => expect(screen.getByRole('alert').textContent).toMatch(/only possible while/));
    expect(onConfirm).toHaveBeenCalledWith('smoke tests green');

    await user.click(dialog.getByRole('button', { name: 'Approve' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
  });

  it('closes on Escape without acting', async () => {
    const user = userEvent.setup();
    const onConfirm = vi.fn();
    await renderPage(
      api,
      <ConfirmAction label="Abort" operation="abortPromotion" consequence="x" onConfirm={onConfirm} />,
    );
    await user.click(screen.getByRole('button', { name: 'Abort' }));
    await user.keyboard('{Escape}');
    expect(screen.queryByRole('dialog')).toBeNull();
    expect(onConfirm).not.toHaveBeenCalled();
  });
});
