import { validateCertification } from './validate';

describe('validateCertification', () => {
  it('requires every field and a money amount', () => {
    expect(validateCertification({ name: '', course: '', cost: '' })).toEqual({
      name: expect.any(String),
      course: expect.any(String),
      cost: expect.any(String),
    });
    expect(validateCertification({ name: 'A', course: 'B', cost: '12.345' }).cost).toMatch(/two decimals/);
    expect(validateCertification({ name: 'A', course: 'B', cost: '-3' }).cost).toBeDefined();
    expect(validateCertification({ name: 'A', course: 'B', cost: '1299.99' })).toEqual({});
  });
});
