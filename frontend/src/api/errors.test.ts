import { errorFromBody, errorMessage, fieldErrors } from './errors';

describe('errorMessage', () => {
  it('shows the envelope’s detail', () => {
    expect(errorMessage({ status: 403, data: { detail: 'Only a MANAGER or ADMIN may do this.', status_code: 403, code: 'permission_denied' } })).toBe(
      'Only a MANAGER or ADMIN may do this.',
    );
  });

  it('adds field messages the detail does not already say', () => {
    const error = { status: 422, data: { detail: 'Invalid input.', status_code: 422, code: 'validation_error', errors: { reason: ['A reason is required to reject.'] } } };
    expect(errorMessage(error)).toBe('Invalid input. reason: A reason is required to reject.');
    expect(fieldErrors(error)).toEqual({ reason: 'A reason is required to reject.' });
  });

  it('explains network failures without an envelope', () => {
    expect(errorMessage({ status: 'FETCH_ERROR', error: 'TypeError' })).toMatch(/Cannot reach/);
    expect(errorMessage({ status: 502, data: '<html>' })).toBe('The request failed (502).');
  });

  it('reads XHR bodies: envelope, or a plain reason', () => {
    expect(errorFromBody(415, JSON.stringify({ detail: 'Unsupported file type.', status_code: 415, code: 'unsupported_media_type' })).message).toBe('Unsupported file type.');
    expect(errorFromBody(413, 'too big').message).toBe('The file is too large.');
    expect(errorFromBody(429, JSON.stringify({ detail: 'Request was throttled. Expected available in 12 seconds.', status_code: 429, code: 'throttled' })).status).toBe(429);
  });
});
