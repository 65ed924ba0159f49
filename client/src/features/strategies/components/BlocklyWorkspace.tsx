/**
 * Blockly in React: injects a workspace into a div with the blocks and toolbox of the server's
 * catalogue, and disposes it on unmount. The parent drives it through `WorkspaceHandle` (load and
 * save Blockly's JSON serialization, mark compile errors on their blocks, select a block): the
 * workspace's state lives in Blockly, not in React, so it is never re-rendered from props.
 */
import { useComputedColorScheme } from '@mantine/core';
import * as Blockly from 'blockly/core';
import * as En from 'blockly/msg/en';
import { type Ref, useEffect, useImperativeHandle, useRef } from 'react';

import type { Workspace } from '@/features/strategies/api/strategies';
import { type Catalogue, definitionsToRegister } from '@/features/strategies/utils/catalogue';
import {
  type CompileErrorItem,
  type ErrorMarks,
  errorMarks,
  warningTextOf,
} from '@/features/strategies/utils/compile-errors';

Blockly.setLocale(En as unknown as Record<string, string>);

/** Type -> JSON of what this page registered, so a remount does not redefine every block. */
const registered = new Map<string, string>();

function register(catalogue: Catalogue) {
  const fresh = definitionsToRegister(catalogue.definitions, registered);
  if (fresh.length === 0) return;
  Blockly.common.defineBlocksWithJsonArray(fresh);
  for (const d of fresh) registered.set(d.type, JSON.stringify(d));
}

/** The id of our warnings on a block (Blockly keeps one text per id). */
const WARNING_ID = 'compile';
export const ERROR_CLASS = 'strategyBlockError';
// Registered before the first inject, which adds Blockly's CSS to the page with ours in it.
Blockly.Css.register(`
.${ERROR_CLASS} > .blocklyPath { stroke: #fa5252; stroke-width: 3px; }
`);

const darkTheme = Blockly.Theme.defineTheme('strategies-dark', {
  name: 'strategies-dark',
  base: Blockly.Themes.Classic,
  componentStyles: {
    workspaceBackgroundColour: '#1f2023',
    toolboxBackgroundColour: '#2c2e33',
    toolboxForegroundColour: '#e9ecef',
    flyoutBackgroundColour: '#25262b',
    flyoutForegroundColour: '#e9ecef',
    flyoutOpacity: 0.95,
    scrollbarColour: '#5c5f66',
    insertionMarkerColour: '#ffffff',
  },
});

export interface WorkspaceHandle {
  /** Blockly's JSON serialization of what is on the workspace. */
  save(): Workspace;
  /** Replaces the workspace's content (null: empty). Throws if a block type is unknown. */
  load(workspace: Workspace | null): void;
  /** Marks each error's block (warning icon + red outline); clears earlier marks first. */
  markErrors(errors: readonly CompileErrorItem[]): ErrorMarks;
  clearMarks(): void;
  /** Scrolls to the block and selects it; false if it is not on the workspace. */
  selectBlock(blockId: string): boolean;
}

interface Props {
  catalogue: Catalogue;
  ref?: Ref<WorkspaceHandle>;
  /** Called once the workspace is injected (and again if it is re-injected). */
  onReady?: () => void;
  /** A block was added, moved, changed or deleted (not UI events such as a click). */
  onChange?: () => void;
}

export function BlocklyWorkspace({ catalogue, ref, onReady, onChange }: Props) {
  const host = useRef<HTMLDivElement>(null);
  const workspace = useRef<Blockly.WorkspaceSvg | null>(null);
  const scheme = useComputedColorScheme('light');
  const callbacks = useRef({ onReady, onChange });
  useEffect(() => {
    callbacks.current = { onReady, onChange };
  });
  const initialScheme = useRef(scheme);

  useEffect(() => {
    const div = host.current;
    if (div === null) return;
    register(catalogue);
    const ws = Blockly.inject(div, {
      toolbox: catalogue.toolbox,
      theme: initialScheme.current === 'dark' ? darkTheme : Blockly.Themes.Classic,
      // No sounds or trashcan: both load media from Blockly's own site, which we do not reach.
      sounds: false,
      trashcan: false,
      zoom: { controls: false, wheel: true, startScale: 0.9 },
      move: { scrollbars: true, drag: true, wheel: false },
      grid: { spacing: 24, length: 2, colour: '#888', snap: false },
    });
    workspace.current = ws;
    const listener = (event: Blockly.Events.Abstract) => {
      if (!event.isUiEvent) callbacks.current.onChange?.();
    };
    ws.addChangeListener(listener);
    const resize = new ResizeObserver(() => {
      Blockly.svgResize(ws);
    });
    resize.observe(div);
    callbacks.current.onReady?.();
    return () => {
      resize.disconnect();
      workspace.current = null;
      ws.dispose();
    };
  }, [catalogue]);

  useEffect(() => {
    workspace.current?.setTheme(scheme === 'dark' ? darkTheme : Blockly.Themes.Classic);
  }, [scheme]);

  useImperativeHandle(ref, (): WorkspaceHandle => {
    const ws = () => {
      if (workspace.current === null) throw new Error('The block editor is not ready.');
      return workspace.current;
    };
    const clearMarks = () => {
      for (const block of ws().getAllBlocks(false)) {
        block.setWarningText(null, WARNING_ID);
        block.removeClass(ERROR_CLASS);
      }
    };
    return {
      save: () => Blockly.serialization.workspaces.save(ws()),
      load: (content) => {
        const target = ws();
        target.clear();
        if (content !== null) Blockly.serialization.workspaces.load(content, target);
        target.scrollCenter();
      },
      markErrors: (errors) => {
        clearMarks();
        const target = ws();
        const marks = errorMarks(errors, (id) => target.getBlockById(id) !== null);
        for (const [id, messages] of marks.byBlock) {
          const block = target.getBlockById(id);
          if (block === null) continue;
          block.setWarningText(warningTextOf(messages), WARNING_ID);
          block.addClass(ERROR_CLASS);
        }
        return marks;
      },
      clearMarks,
      selectBlock: (blockId) => {
        const target = ws();
        const block = target.getBlockById(blockId);
        if (block === null) return false;
        target.centerOnBlock(blockId);
        Blockly.getFocusManager().focusNode(block);
        return true;
      },
    };
  }, []);

  return (
    <div
      ref={host}
      data-testid="blockly-workspace"
      aria-label="Strategy blocks"
      style={{ height: '100%', minHeight: 560, width: '100%' }}
    />
  );
}
