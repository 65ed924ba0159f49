/**
 * The compiler's refusals and where they go in the editor. A workspace that does not compile is
 * answered `400 {"detail", "errors": [{"block_id", "message"}]}` (backend/strategies/api/views.py);
 * each error names its block, or none (`null`) for the workspace as a whole. The editor marks each
 * named block with its messages and lists every message; an error whose block is not on the
 * workspace any more (edited since) or that names none is listed without a mark.
 *
 * Pure: no Blockly import.
 */
import { HttpError, describeApiError } from '@/lib/api';

export interface CompileErrorItem {
  blockId: string | null;
  message: string;
}

export interface ErrorMarks {
  /** Block id -> its messages, in the server's order: one warning per block. */
  byBlock: Map<string, string[]>;
  /** Messages with no block on the workspace to mark. */
  unplaced: string[];
}

/** The compile errors of a 400 answer; null for any other failure (network, 5xx, 404, ...). */
export function compileErrorsOf(error: unknown): CompileErrorItem[] | null {
  if (!(error instanceof HttpError) || error.status !== 400) return null;
  const body = error.body;
  if (typeof body !== 'object' || body === null || !('errors' in body)) return null;
  const errors = body.errors;
  if (!Array.isArray(errors)) return null;
  const items = errors.flatMap((item): CompileErrorItem[] => {
    if (typeof item !== 'object' || item === null) return [];
    const { block_id: blockId, message } = item as Record<string, unknown>;
    if (typeof message !== 'string') return [];
    return [{ blockId: typeof blockId === 'string' ? blockId : null, message }];
  });
  return items.length > 0 ? items : null;
}

/** Groups `errors` by the block they name, when `isOnWorkspace(id)`; the others are unplaced. */
export function errorMarks(
  errors: readonly CompileErrorItem[],
  isOnWorkspace: (blockId: string) => boolean,
): ErrorMarks {
  const byBlock = new Map<string, string[]>();
  const unplaced: string[] = [];
  for (const { blockId, message } of errors) {
    if (blockId === null || !isOnWorkspace(blockId)) {
      unplaced.push(message);
      continue;
    }
    const messages = byBlock.get(blockId);
    if (messages === undefined) byBlock.set(blockId, [message]);
    else if (!messages.includes(message)) messages.push(message);
  }
  return { byBlock, unplaced };
}

/** The text of a block's warning bubble: one message a line. */
export function warningTextOf(messages: readonly string[]): string {
  return messages.join('\n');
}

/** The API's `detail` when it sent one (a refusal says why), else a short generic sentence. */
export function refusalMessage(error: unknown): string {
  if (error instanceof HttpError && typeof error.body === 'object' && error.body !== null) {
    const { detail } = error.body as { detail?: unknown };
    if (typeof detail === 'string') return detail;
  }
  return describeApiError(error);
}
