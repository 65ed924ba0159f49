/**
 * The page against mocked HTTP. Blockly itself needs a real browser (the Playwright spec drives
 * it); here a stand-in with the same handle records what the page asks of the workspace.
 */
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { http, HttpResponse } from 'msw';
import type { Ref } from 'react';
import { beforeEach, describe, expect, it, vi } from 'vitest';

import type { WorkspaceHandle } from '@/features/strategies/components/BlocklyWorkspace';
import { StrategiesView } from '@/features/strategies/components/StrategiesView';
import { clearTokens, storeTokens } from '@/lib/session';
import { server } from '@/testing/mocks/server';
import { renderWithProviders } from '@/testing/test-utils';
import { fakeTokenPair } from '@/testing/tokens';

const fake = vi.hoisted(() => ({
  content: null as Record<string, unknown> | null,
  loads: [] as (Record<string, unknown> | null)[],
  blockIds: new Set<string>(),
  marked: [] as string[],
  selected: [] as string[],
}));

vi.mock('@/features/strategies/components/BlocklyWorkspace', async () => {
  const { useEffect, useImperativeHandle } = await import('react');
  const { errorMarks } = await import('@/features/strategies/utils/compile-errors');
  function BlocklyWorkspace({
    ref,
    onReady,
  }: {
    ref?: Ref<WorkspaceHandle>;
    onReady?: () => void;
  }) {
    useImperativeHandle(ref, () => ({
      save: () => fake.content ?? {},
      load: (workspace) => {
        fake.loads.push(workspace);
        fake.content = workspace;
      },
      markErrors: (errors) => {
        const marks = errorMarks(errors, (id) => fake.blockIds.has(id));
        fake.marked = [...marks.byBlock.keys()];
        return marks;
      },
      clearMarks: () => {
        fake.marked = [];
      },
      selectBlock: (id) => {
        fake.selected.push(id);
        return true;
      },
    }));
    useEffect(() => {
      onReady?.();
    }, [onReady]);
    return <div data-testid="blockly-workspace" />;
  }
  return { BlocklyWorkspace };
});

const CATALOGUE = {
  version: 1,
  timeframes: ['5m', '15m'],
  categories: [{ name: 'Events', colour: 45 }],
  blocks: [
    {
      type: 'on_candle_close',
      blockly: { type: 'on_candle_close', message0: 'on candle close %1', args0: [] },
    },
  ],
  toolbox: {
    kind: 'categoryToolbox',
    contents: [
      {
        kind: 'category',
        name: 'Events',
        contents: [{ kind: 'block', type: 'on_candle_close' }],
      },
    ],
  },
};
const WS_V2 = { blocks: { languageVersion: 0, blocks: [{ type: 'on_candle_close', id: 'hat' }] } };
const TEMPLATE_WS = {
  blocks: { languageVersion: 0, blocks: [{ type: 'on_candle_close', id: 't' }] },
};
const T = '2026-12-04T20:00:00Z';

function strategyJson(id: number, name: string, latest: number | null) {
  return { id, name, latest_version: latest, created_at: T, updated_at: T };
}

beforeEach(() => {
  clearTokens();
  storeTokens(fakeTokenPair(), { signIn: true });
  Object.assign(fake, { content: null, loads: [], blockIds: new Set(), marked: [], selected: [] });
  server.use(
    http.get('/api/strategies/catalogue/', () => HttpResponse.json(CATALOGUE)),
    http.get('/api/strategies/templates/', () =>
      HttpResponse.json([
        {
          key: 'ema_cross',
          name: 'EMA cross',
          description: 'EMA 9 over 21.',
          workspace: TEMPLATE_WS,
        },
      ]),
    ),
    http.get('/api/strategies/', () =>
      HttpResponse.json([strategyJson(4, 'Breakout', 2), strategyJson(3, 'Draft', null)]),
    ),
    http.get('/api/strategies/4/', () =>
      HttpResponse.json({
        ...strategyJson(4, 'Breakout', 2),
        latest: { number: 2, created_at: T, workspace: WS_V2, ir: {} },
      }),
    ),
    http.get('/api/strategies/4/versions/', () =>
      HttpResponse.json([
        { number: 2, created_at: T },
        { number: 1, created_at: T },
      ]),
    ),
    // The run controls and the runs list (StrategyRuns.test.tsx tests them).
    http.get('/api/trading/accounts/', () => HttpResponse.json([])),
    http.get('/api/symbols/', () => HttpResponse.json([])),
    http.get('/api/strategies/runs/', () => HttpResponse.json([])),
  );
});

describe('the strategies page', () => {
  it('lists the strategies and opens one with its latest version on the workspace', async () => {
    renderWithProviders(<StrategiesView />, { route: '/strategies' });
    const table = await screen.findByRole('table', { name: 'Your strategies' });
    expect(within(table).getByText('v2')).toBeVisible();
    expect(within(table).getByText('not saved')).toBeVisible();

    await userEvent.click(within(table).getByRole('button', { name: 'Breakout' }));
    expect(await screen.findByText('version 2 (latest)')).toBeVisible();
    await waitFor(() => {
      expect(fake.loads).toEqual([WS_V2]);
    });
    expect(screen.getByRole('button', { name: 'Load version 1' })).toBeVisible();
    // Runs need an exchange account: this user has none (the mock lists none).
    expect(screen.getByRole('button', { name: 'Start version 2' })).toBeDisabled();
    expect(screen.getByTestId('run-blocker')).toHaveTextContent('Choose an exchange account.');
  });

  it("lists the compiler's errors, marks their blocks, and a click selects the block", async () => {
    server.use(
      http.post('/api/strategies/validate/', () =>
        HttpResponse.json(
          {
            detail: "The strategy does not compile: the 'COND' input is empty",
            errors: [
              { block_id: 'if1', message: "the 'COND' input is empty" },
              { block_id: null, message: "a strategy has exactly one 'on candle close' block" },
            ],
          },
          { status: 400 },
        ),
      ),
    );
    fake.blockIds = new Set(['hat', 'if1']);
    renderWithProviders(<StrategiesView />, { route: '/strategies?strategy=4' });
    await userEvent.click(await screen.findByRole('button', { name: 'Validate' }));

    const list = await screen.findByRole('list', { name: 'Compile errors' });
    expect(fake.marked).toEqual(['if1']);
    // The workspace-wide message has no block to show: text, not a button.
    expect(
      within(list).getByText("a strategy has exactly one 'on candle close' block"),
    ).toBeVisible();
    expect(within(list).getAllByRole('button')).toHaveLength(1);
    await userEvent.click(within(list).getByRole('button', { name: "the 'COND' input is empty" }));
    expect(fake.selected).toEqual(['if1']);
  });

  it('saves the workspace as a new version and says which', async () => {
    const bodies: unknown[] = [];
    server.use(
      http.post('/api/strategies/4/versions/', async ({ request }) => {
        bodies.push(await request.json());
        return HttpResponse.json(
          { number: 3, created_at: T, workspace: WS_V2, ir: {} },
          { status: 201 },
        );
      }),
    );
    renderWithProviders(<StrategiesView />, { route: '/strategies?strategy=4' });
    await userEvent.click(await screen.findByRole('button', { name: 'Save version' }));
    expect(await screen.findByText('Saved as version 3.')).toBeVisible();
    expect(bodies).toEqual([{ workspace: WS_V2 }]);
    expect(screen.getByText('version 3 (latest)')).toBeVisible();
  });

  it('creates a strategy from a template, with the template as its version 1', async () => {
    const bodies: unknown[] = [];
    const created = {
      ...strategyJson(9, 'EMA cross', 1),
      latest: { number: 1, created_at: T, workspace: TEMPLATE_WS, ir: {} },
    };
    server.use(
      http.post('/api/strategies/', async ({ request }) => {
        bodies.push(await request.json());
        return HttpResponse.json(created, { status: 201 });
      }),
      http.get('/api/strategies/9/', () => HttpResponse.json(created)),
      http.get('/api/strategies/9/versions/', () =>
        HttpResponse.json([{ number: 1, created_at: T }]),
      ),
    );
    renderWithProviders(<StrategiesView />, { route: '/strategies' });
    const form = screen.getByRole('form', { name: 'New strategy' });
    await userEvent.click(within(form).getByRole('combobox', { name: 'Start from' }));
    await userEvent.click(await screen.findByRole('option', { name: 'EMA cross' }));
    expect(within(form).getByRole('textbox', { name: 'Name' })).toHaveValue('EMA cross');
    await userEvent.click(within(form).getByRole('button', { name: 'Create' }));

    expect(await screen.findByRole('heading', { name: 'EMA cross' })).toBeVisible();
    expect(bodies).toEqual([{ name: 'EMA cross', workspace: TEMPLATE_WS }]);
    await waitFor(() => {
      expect(fake.loads).toEqual([TEMPLATE_WS]);
    });
  });

  it('says so when the catalogue does not load', async () => {
    server.use(
      http.get('/api/strategies/catalogue/', () =>
        HttpResponse.json(
          { detail: 'Authentication credentials were not provided.' },
          { status: 403 },
        ),
      ),
    );
    renderWithProviders(<StrategiesView />, { route: '/strategies?strategy=4' });
    expect(
      await screen.findByText(/The block catalogue did not load: Authentication credentials/),
    ).toBeVisible();
  });
});
