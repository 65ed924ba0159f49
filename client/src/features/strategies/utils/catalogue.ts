/**
 * The block catalogue of `GET /api/strategies/catalogue/`, checked and turned into what Blockly
 * takes: the block definitions for `Blockly.common.defineBlocksWithJsonArray` and the category
 * toolbox for `Blockly.inject`. The server defines every block once (backend/strategies/blocks.py);
 * the client has no list of its own, so this only checks that the two halves agree: each block's
 * Blockly JSON names its own type, and the toolbox offers only blocks the catalogue defines.
 *
 * Pure: no Blockly import (its types only), so it is tested without a DOM.
 */
import type { utils } from 'blockly/core';

import { ResponseFormatError } from '@/lib/api';
import {
  expectArray,
  expectObject,
  expectString,
  expectStringArray,
  type JsonObject,
} from '@/lib/decode';

/** One Blockly JSON block definition (`type`, `message0`, `args0`, ...), as the server sent it. */
export type BlockDefinition = JsonObject & { type: string };

export interface CatalogueCategory {
  name: string;
  colour: number;
}

export interface Catalogue {
  definitions: BlockDefinition[];
  toolbox: utils.toolbox.ToolboxDefinition;
  categories: CatalogueCategory[];
  /** The block types the catalogue defines, for a quick "is this one of ours" check. */
  types: ReadonlySet<string>;
  /** The timeframes a strategy (and a run) may use, in the server's order. */
  timeframes: string[];
}

/** Blockly's dynamic Variables category builds its flyout from these two block types. */
export const VARIABLE_BLOCK_TYPES = ['variables_get', 'variables_set'] as const;

export function decodeCatalogue(json: unknown): Catalogue {
  const data = expectObject(json, 'catalogue');
  const definitions = expectArray(data.blocks, 'catalogue.blocks').map((item, i) => {
    const where = `catalogue.blocks[${i}]`;
    const block = expectObject(item, where);
    const type = expectString(block.type, `${where}.type`);
    const definition = expectObject(block.blockly, `${where}.blockly`);
    if (definition.type !== type) {
      throw new ResponseFormatError(`${where}.blockly: defines '${String(definition.type)}'`);
    }
    return { ...definition, type };
  });
  const types = new Set(definitions.map((d) => d.type));
  if (types.size !== definitions.length) {
    throw new ResponseFormatError('catalogue.blocks: a block type is defined twice');
  }
  const categories = expectArray(data.categories, 'catalogue.categories').map((item, i) => {
    const c = expectObject(item, `catalogue.categories[${i}]`);
    const colour = c.colour;
    if (typeof colour !== 'number') {
      throw new ResponseFormatError(`catalogue.categories[${i}].colour: expected a number`);
    }
    return { name: expectString(c.name, `catalogue.categories[${i}].name`), colour };
  });
  return {
    definitions,
    toolbox: toolboxOf(data.toolbox, types),
    categories,
    types,
    timeframes: expectStringArray(data.timeframes, 'catalogue.timeframes'),
  };
}

/**
 * The toolbox as Blockly takes it, after checking every block it offers is defined (Blockly
 * would otherwise throw deep inside `inject` when the category opens). A category's hue goes to
 * Blockly as text: its toolbox treats a colour of 0 (red) as "no colour", but "0" as hue 0.
 */
export function toolboxOf(
  json: unknown,
  defined: ReadonlySet<string>,
): utils.toolbox.ToolboxDefinition {
  const toolbox = expectObject(json, 'catalogue.toolbox');
  if (toolbox.kind !== 'categoryToolbox') {
    throw new ResponseFormatError("catalogue.toolbox: expected kind 'categoryToolbox'");
  }
  const categories = expectArray(toolbox.contents, 'catalogue.toolbox.contents').map((item, i) => {
    const where = `catalogue.toolbox.contents[${i}]`;
    const category = expectObject(item, where);
    expectString(category.name, `${where}.name`);
    const colour = typeof category.colour === 'number' ? String(category.colour) : category.colour;
    if (category.custom === 'VARIABLE') {
      const missing = VARIABLE_BLOCK_TYPES.filter((t) => !defined.has(t));
      if (missing.length > 0) {
        throw new ResponseFormatError(`${where}: variables need block ${missing.join(', ')}`);
      }
    } else {
      expectArray(category.contents, `${where}.contents`).forEach((entry, j) => {
        const block = expectObject(entry, `${where}.contents[${j}]`);
        const type = expectString(block.type, `${where}.contents[${j}].type`);
        if (!defined.has(type)) {
          throw new ResponseFormatError(`${where}: offers block '${type}', which is not defined`);
        }
      });
    }
    return colour === undefined ? category : { ...category, colour };
  });
  // Checked above: the server's JSON is Blockly's own toolbox format.
  return { ...toolbox, contents: categories } as unknown as utils.toolbox.ToolboxDefinition;
}

/**
 * Which of `definitions` differ from what is registered (type -> its JSON): Blockly warns when a
 * type is redefined, and a second mount of the editor would redefine every block otherwise.
 */
export function definitionsToRegister(
  definitions: readonly BlockDefinition[],
  registered: ReadonlyMap<string, string>,
): BlockDefinition[] {
  return definitions.filter((d) => registered.get(d.type) !== JSON.stringify(d));
}
