/**
 * What a form shows when the API refuses it: DRF's field errors next to their fields, everything
 * else (`detail`, `non_field_errors`, errors of fields the form does not have) above the button.
 */
import { HttpError, NetworkError } from '@/lib/api';

export interface FormError {
  /** For the whole form; null when every problem belongs to a field. */
  message: string | null;
  /** Field name -> its errors, joined. */
  fields: Record<string, string>;
}

export const NO_FORM_ERROR: FormError = { message: null, fields: {} };

export function tooManyAttempts(retryAfterSeconds: number | null): string {
  return retryAfterSeconds === null
    ? 'Too many attempts, try again later.'
    : `Too many attempts, try again in ${retryAfterSeconds} s.`;
}

export function formError(error: unknown, fieldNames: readonly string[]): FormError {
  if (error instanceof NetworkError) {
    return { message: 'Cannot reach the server. Check the connection and try again.', fields: {} };
  }
  if (!(error instanceof HttpError)) {
    return { message: error instanceof Error ? error.message : String(error), fields: {} };
  }
  if (error.status === 429)
    return { message: tooManyAttempts(error.retryAfterSeconds), fields: {} };
  if (error.status >= 500) {
    return {
      message: `The server had a problem (HTTP ${error.status}). Try again in a moment.`,
      fields: {},
    };
  }
  const fields: Record<string, string> = {};
  const general: string[] = [];
  if (typeof error.body === 'object' && error.body !== null && !Array.isArray(error.body)) {
    for (const [key, value] of Object.entries(error.body as Record<string, unknown>)) {
      const text = messagesOf(value);
      if (text === '') continue;
      if (fieldNames.includes(key)) fields[key] = text;
      else if (key === 'detail' || key === 'non_field_errors') general.push(text);
      else general.push(`${key}: ${text}`);
    }
  } else if (Array.isArray(error.body)) {
    general.push(messagesOf(error.body));
  }
  if (general.length === 0 && Object.keys(fields).length === 0) {
    general.push(`The server refused the request (HTTP ${error.status}).`);
  }
  return { message: general.length > 0 ? general.join(' ') : null, fields };
}

function messagesOf(value: unknown): string {
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return value.map(messagesOf).filter(Boolean).join(' ');
  if (typeof value === 'object' && value !== null) {
    return Object.values(value as Record<string, unknown>)
      .map(messagesOf)
      .filter(Boolean)
      .join(' ');
  }
  return '';
}
