import { guessType, needsCompletion, titleFromFilename } from './uploadFile';

describe('upload helpers', () => {
  it('turns a file name into a title', () => {
    expect(titleFromFilename('acme_invoice-2024-03.pdf')).toBe('acme invoice 2024 03');
    expect(titleFromFilename('.pdf')).toBe('.pdf');
  });

  it('guesses the type from the name', () => {
    expect(guessType('Invoice 42.pdf')).toBe('INVOICE');
    expect(guessType('NDA signed.pdf')).toBe('CONTRACT');
    expect(guessType('scan.png')).toBe('GENERIC');
  });

  it('completes only uploads that went straight to object storage', () => {
    expect(needsCompletion('http://app.test/files/documents/x/upload/?sig=1', 'http://app.test')).toBe(false);
    expect(needsCompletion('https://bucket.s3.amazonaws.com/key?X-Amz-Signature=1', 'http://app.test')).toBe(true);
  });
});
