import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import type { Extraction } from '../../api/types';
import { ExtractionPanel } from './ExtractionPanel';

const field = (value: string, confidence: number, top: number) => ({
  value,
  raw: value,
  confidence,
  page: 1,
  bbox: [0.1, top, 0.2, 0.03] as [number, number, number, number],
  key_raw: '',
  key_bbox: null,
  type: 'text',
  valid: true,
  source: 'layout',
});

const extraction = {
  id: 'e',
  document_id: 'd',
  version: 1,
  status: 'SUCCEEDED',
  confidence: 88,
  validation: { passed: true, threshold: 80, low_confidence_fields: [] },
  key_values: { invoice_number: field('A-1', 99, 0.1), total_amount: field('12.00', 61, 0.5) },
  tables: [],
} as unknown as Extraction;

describe('ExtractionPanel', () => {
  it('highlights fields under the threshold and shows where a field is', async () => {
    const onSelect = vi.fn();
    render(<ExtractionPanel extraction={extraction} selected={null} onSelect={onSelect} />);
    const rows = screen.getAllByTestId('field-row');
    expect(rows.map((row) => row.getAttribute('data-low-confidence'))).toEqual(['false', 'true']);
    expect(rows[1]).toHaveTextContent('below the 80% threshold');
    await userEvent.click(screen.getByTestId('field-total_amount'));
    expect(onSelect).toHaveBeenCalledWith({ page: 1, bbox: [0.1, 0.5, 0.2, 0.03], label: 'total_amount' }, 'total_amount');
  });
});
