import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { DecisionDialog } from './DecisionDialog';

describe('DecisionDialog', () => {
  it('requires a reason to reject', async () => {
    const onConfirm = vi.fn(async () => undefined);
    const onClose = vi.fn();
    render(<DecisionDialog decision="REJECTED" subject="Invoice 7" onConfirm={onConfirm} onClose={onClose} />);
    await userEvent.click(screen.getByTestId('decision-confirm'));
    expect(screen.getByRole('alert')).toHaveTextContent('A reason is required to reject.');
    expect(onConfirm).not.toHaveBeenCalled();
    await userEvent.type(screen.getByLabelText('Reason (required)'), 'Wrong total');
    await userEvent.click(screen.getByTestId('decision-confirm'));
    expect(onConfirm).toHaveBeenCalledWith('Wrong total');
    expect(onClose).toHaveBeenCalled();
  });

  it('approves with optional notes and shows a failed call’s detail', async () => {
    const onConfirm = vi.fn(async () => {
      throw { status: 409, data: { detail: 'This document is not waiting for your decision.', status_code: 409, code: 'conflict' } };
    });
    render(<DecisionDialog decision="APPROVED" subject="Invoice 7" onConfirm={onConfirm} onClose={() => undefined} />);
    expect(screen.getByRole('dialog')).toHaveAccessibleName('Approve document');
    await userEvent.click(screen.getByTestId('decision-confirm'));
    expect(onConfirm).toHaveBeenCalledWith('');
    expect(await screen.findByTestId('decision-error')).toHaveTextContent('not waiting for your decision');
  });

  it('closes on Escape', async () => {
    const onClose = vi.fn();
    render(<DecisionDialog decision="APPROVED" subject="x" onConfirm={async () => undefined} onClose={onClose} />);
    await userEvent.keyboard('{Escape}');
    expect(onClose).toHaveBeenCalled();
  });
});
