import { describe, expect, it } from 'vitest';

import {
  decodeCatalogue,
  definitionsToRegister,
  toolboxOf,
} from '@/features/strategies/utils/catalogue';
import { ResponseFormatError } from '@/lib/api';

/** The shape of `GET /api/strategies/catalogue/` (backend/strategies/blocks.py), cut down. */
function block(type: string, category: string, blockly: Record<string, unknown> = {}) {
  return {
    type,
    category,
    output: null,
    statement: false,
    fields: [],
    inputs: [],
    blockly: { type, message0: type, args0: [], colour: 45, ...blockly },
  };
}

const CATALOGUE = {
  version: 1,
  categories: [
    { name: 'Events', colour: 45 },
    { name: 'Logic', colour: 210 },
    { name: 'Variables', colour: 330 },
  ],
  blocks: [
    block('on_candle_close', 'Events', {
      message0: 'on candle close %1',
      args0: [{ type: 'input_statement', name: 'DO' }],
    }),
    block('compare', 'Logic', { output: 'Boolean' }),
    block('variables_get', 'Variables', { output: 'Number' }),
    block('variables_set', 'Variables', { previousStatement: null, nextStatement: null }),
  ],
  toolbox: {
    kind: 'categoryToolbox',
    contents: [
      {
        kind: 'category',
        name: 'Events',
        colour: 0,
        contents: [{ kind: 'block', type: 'on_candle_close' }],
      },
      {
        kind: 'category',
        name: 'Logic',
        colour: 210,
        contents: [
          {
            kind: 'block',
            type: 'compare',
            inputs: { A: { shadow: { type: 'number', fields: { NUM: 0 } } } },
          },
        ],
      },
      { kind: 'category', name: 'Variables', colour: 330, custom: 'VARIABLE' },
    ],
  },
  indicators: [],
  timeframes: ['5m', '15m'],
};

describe('decodeCatalogue', () => {
  it('takes the block definitions from each block and the toolbox as the server sent them', () => {
    const catalogue = decodeCatalogue(CATALOGUE);
    expect(catalogue.definitions.map((d) => d.type)).toEqual([
      'on_candle_close',
      'compare',
      'variables_get',
      'variables_set',
    ]);
    expect(catalogue.definitions[0]).toEqual({
      type: 'on_candle_close',
      message0: 'on candle close %1',
      args0: [{ type: 'input_statement', name: 'DO' }],
      colour: 45,
    });
    expect(catalogue.definitions[1]).toMatchObject({ output: 'Boolean' });
    expect(catalogue.toolbox).toEqual({
      kind: 'categoryToolbox',
      contents: [
        { ...CATALOGUE.toolbox.contents[0], colour: '0' },
        { ...CATALOGUE.toolbox.contents[1], colour: '210' },
        { ...CATALOGUE.toolbox.contents[2], colour: '330' },
      ],
    });
    expect(catalogue.categories).toEqual(CATALOGUE.categories);
    expect([...catalogue.types].sort()).toEqual([
      'compare',
      'on_candle_close',
      'variables_get',
      'variables_set',
    ]);
  });

  it('refuses a block whose Blockly JSON defines another type', () => {
    const bad = { ...CATALOGUE, blocks: [block('compare', 'Logic', { type: 'cross' })] };
    expect(() => decodeCatalogue(bad)).toThrow(ResponseFormatError);
    expect(() => decodeCatalogue(bad)).toThrow("defines 'cross'");
  });

  it('refuses a type defined twice', () => {
    const twice = { ...CATALOGUE, blocks: [...CATALOGUE.blocks, block('compare', 'Logic')] };
    expect(() => decodeCatalogue(twice)).toThrow('defined twice');
  });

  it('refuses a payload that is not a catalogue', () => {
    expect(() => decodeCatalogue([])).toThrow('catalogue: expected an object');
    expect(() => decodeCatalogue({ ...CATALOGUE, blocks: {} })).toThrow(
      'catalogue.blocks: expected a list',
    );
  });
});

describe('toolboxOf', () => {
  const defined = new Set(['on_candle_close', 'compare', 'variables_get', 'variables_set']);

  it('refuses a toolbox offering a block the catalogue does not define', () => {
    const toolbox = {
      kind: 'categoryToolbox',
      contents: [{ kind: 'category', name: 'Logic', contents: [{ kind: 'block', type: 'xor' }] }],
    };
    expect(() => toolboxOf(toolbox, defined)).toThrow("offers block 'xor', which is not defined");
  });

  it('needs the two variable blocks for the dynamic Variables category', () => {
    const toolbox = {
      kind: 'categoryToolbox',
      contents: [{ kind: 'category', name: 'Variables', custom: 'VARIABLE' }],
    };
    expect(() => toolboxOf(toolbox, new Set(['variables_get']))).toThrow(
      'variables need block variables_set',
    );
    expect(toolboxOf(toolbox, defined)).toEqual(toolbox);
  });

  it('gives Blockly each hue as text, so hue 0 is not taken for no colour', () => {
    const toolbox = {
      kind: 'categoryToolbox',
      contents: [
        { kind: 'category', name: 'Actions', colour: 0, contents: [] },
        { kind: 'category', name: 'Logic', colour: '#5b80a5', contents: [] },
      ],
    };
    expect(toolboxOf(toolbox, defined)).toHaveProperty('contents', [
      { kind: 'category', name: 'Actions', colour: '0', contents: [] },
      { kind: 'category', name: 'Logic', colour: '#5b80a5', contents: [] },
    ]);
  });

  it('refuses a flyout toolbox (the editor shows categories)', () => {
    expect(() => toolboxOf({ kind: 'flyoutToolbox', contents: [] }, defined)).toThrow(
      "expected kind 'categoryToolbox'",
    );
  });
});

describe('definitionsToRegister', () => {
  const definitions = decodeCatalogue(CATALOGUE).definitions;

  it('registers everything the first time', () => {
    expect(definitionsToRegister(definitions, new Map())).toHaveLength(4);
  });

  it('skips definitions registered with the same JSON and keeps changed ones', () => {
    const registered = new Map(definitions.map((d) => [d.type, JSON.stringify(d)]));
    expect(definitionsToRegister(definitions, registered)).toEqual([]);
    registered.set('compare', JSON.stringify({ type: 'compare', message0: 'older' }));
    expect(definitionsToRegister(definitions, registered).map((d) => d.type)).toEqual(['compare']);
  });
});
