import { describe, expect, it } from 'vitest';

import {
  compileErrorsOf,
  errorMarks,
  refusalMessage,
  warningTextOf,
} from '@/features/strategies/utils/compile-errors';
import { HttpError, NetworkError } from '@/lib/api';

/** A 400 as backend/strategies/api/views.py answers a workspace that does not compile. */
function refusal(errors: unknown) {
  return new HttpError('POST failed with HTTP 400', 400, {
    detail: "The strategy does not compile: the 'A' input is empty",
    errors,
  });
}

describe('compileErrorsOf', () => {
  it("reads the server's {block_id, message} list, null block ids kept", () => {
    const error = refusal([
      { block_id: 'cmp1', message: "the 'A' input is empty" },
      { block_id: null, message: "a strategy has exactly one 'on candle close' block; add one" },
    ]);
    expect(compileErrorsOf(error)).toEqual([
      { blockId: 'cmp1', message: "the 'A' input is empty" },
      {
        blockId: null,
        message: "a strategy has exactly one 'on candle close' block; add one",
      },
    ]);
  });

  it('drops malformed entries and is null when nothing usable is left', () => {
    expect(compileErrorsOf(refusal([{ block_id: 'x' }, 'text', null]))).toBeNull();
    expect(compileErrorsOf(refusal([{ block_id: 7, message: 'm' }]))).toEqual([
      { blockId: null, message: 'm' },
    ]);
  });

  it('is null for what is not a compile refusal', () => {
    expect(
      compileErrorsOf(new HttpError('x', 400, { detail: 'Give it a name.', field: 'name' })),
    ).toBeNull();
    expect(
      compileErrorsOf(new HttpError('x', 413, { detail: 'too large', errors: [] })),
    ).toBeNull();
    expect(compileErrorsOf(new HttpError('x', 500, 'boom'))).toBeNull();
    expect(compileErrorsOf(new NetworkError('down'))).toBeNull();
  });
});

describe('errorMarks', () => {
  const onWorkspace = new Set(['cmp1', 'if1']);
  const isOn = (id: string) => onWorkspace.has(id);

  it('groups messages by block, in order, without repeating one', () => {
    const marks = errorMarks(
      [
        { blockId: 'cmp1', message: "the 'A' input is empty" },
        { blockId: 'if1', message: "the 'COND' input is empty" },
        { blockId: 'cmp1', message: "the 'B' input is empty" },
        { blockId: 'cmp1', message: "the 'A' input is empty" },
      ],
      isOn,
    );
    expect([...marks.byBlock.entries()]).toEqual([
      ['cmp1', ["the 'A' input is empty", "the 'B' input is empty"]],
      ['if1', ["the 'COND' input is empty"]],
    ]);
    expect(marks.unplaced).toEqual([]);
  });

  it('leaves unmarked the workspace-wide errors and blocks no longer on the workspace', () => {
    const marks = errorMarks(
      [
        { blockId: null, message: 'add an on candle close block' },
        { blockId: 'gone', message: 'this block is not inside the on candle close block' },
        { blockId: 'if1', message: "the 'COND' input is empty" },
      ],
      isOn,
    );
    expect([...marks.byBlock.keys()]).toEqual(['if1']);
    expect(marks.unplaced).toEqual([
      'add an on candle close block',
      'this block is not inside the on candle close block',
    ]);
  });

  it("puts a block's messages one a line in its warning", () => {
    expect(warningTextOf(['a', 'b'])).toBe('a\nb');
  });
});

describe('refusalMessage', () => {
  it("prefers the API's detail", () => {
    expect(refusalMessage(refusal([]))).toBe(
      "The strategy does not compile: the 'A' input is empty",
    );
    expect(refusalMessage(new NetworkError('down'))).toBe('Cannot reach the server.');
  });
});
