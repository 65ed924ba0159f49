import { HttpError, describeApiError } from '@/lib/api';
import { type FormError, formError } from '@/lib/form-errors';

/** The API's `detail` when it sent one (a refusal says why), else a short generic sentence. */
export function messageOf(error: unknown): string {
  const body = (error as { body?: unknown } | null)?.body;
  if (typeof body === 'object' && body !== null && 'detail' in body) {
    return String(body.detail);
  }
  return describeApiError(error);
}

/**
 * A refusal for a form. The trading API answers `{detail, field?, limit?, code?}`: with a `field`
 * the form has, the message goes next to that field; otherwise above the button. DRF's own
 * `{name: [messages]}` validation answers go through `formError`.
 */
export function refusalOf(error: unknown, fieldNames: readonly string[]): FormError {
  if (error instanceof HttpError && typeof error.body === 'object' && error.body !== null) {
    const body = error.body as Record<string, unknown>;
    if (typeof body.detail === 'string') {
      if (typeof body.field === 'string' && fieldNames.includes(body.field)) {
        return { message: null, fields: { [body.field]: body.detail } };
      }
      return { message: body.detail, fields: {} };
    }
  }
  return formError(error, fieldNames);
}
