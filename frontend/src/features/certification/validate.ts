export interface CertificationForm {
  name: string;
  course: string;
  cost: string;
}

export function validateCertification(form: CertificationForm): Partial<Record<keyof CertificationForm, string>> {
  const errors: Partial<Record<keyof CertificationForm, string>> = {};
  if (!form.name.trim()) errors.name = 'Enter the employee’s name.';
  else if (form.name.length > 200) errors.name = 'At most 200 characters.';
  if (!form.course.trim()) errors.course = 'Enter the course or certification.';
  else if (form.course.length > 200) errors.course = 'At most 200 characters.';
  const cost = form.cost.trim();
  if (!cost) errors.cost = 'Enter the cost.';
  else if (!/^\d{1,10}(\.\d{1,2})?$/.test(cost)) errors.cost = 'Enter an amount such as 450 or 1299.99 (no more than two decimals).';
  return errors;
}

