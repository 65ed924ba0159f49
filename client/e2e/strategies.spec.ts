/**
 * The block editor against the full stack, with real Blockly interactions (the mouse drags blocks
 * out of the toolbox flyout and drops them on their sockets): sign up -> Strategies -> a blank
 * strategy -> "on candle close" with a "log" inside, its message typed -> save: version 1 -> an
 * "if" with an empty condition under the log -> validate: the server's message is listed, the
 * "if" is marked, clicking the message selects it; save is refused -> "crosses" into the
 * condition, EMA 9 and EMA 21 into its sockets (a period typed), "open LONG" inside the if ->
 * validate passes, save: version 2 -> after a reload the same blocks are back -> run version 2
 * on the paper account for 20 universe symbols at the first timeframe: the run is RUNNING and
 * its log shows "candle closed" lines pushed as the sandbox's replay closes candles; an EMA 9/21
 * cross fires on one of the symbols (the replay closes a 5m candle every few seconds): its
 * decision, the order FILLED, the run's position and the chart's markers appear -> pause,
 * resume, stop. A second test
 * opens a template and loads an older version.
 */
import { type Locator, type Page, expect, test } from '@playwright/test';
import { screenshotPath } from './artifacts';

const MAIN_BLOCKS = '.blocklySvg .blocklyBlockCanvas .blocklyDraggable[data-id]';

/** Ids of the blocks on the main workspace, outer blocks before the blocks inside them. */
async function blockIds(page: Page): Promise<string[]> {
  return page
    .locator(MAIN_BLOCKS)
    .evaluateAll((nodes) => nodes.map((n) => n.getAttribute('data-id') ?? ''));
}

function block(page: Page, id: string): Locator {
  return page.locator(`${MAIN_BLOCKS}[data-id="${id}"]`);
}

/** The block's own outline (not the blocks connected inside or below it). */
async function outline(target: Locator) {
  const box = await target.locator(':scope > path.blocklyPath').first().boundingBox();
  if (box === null) throw new Error('block not rendered');
  return box;
}

/**
 * Opens `category` in the toolbox and drags the flyout's block of `type` (Blockly gives each
 * block's SVG group its type as a class) so that its top left corner lands on `to` (page pixels),
 * moving the mouse in steps as a person would. Returns the new block's id.
 */
async function dragFromToolbox(
  page: Page,
  category: string,
  type: string,
  to: { x: number; y: number },
): Promise<string> {
  const before = new Set(await blockIds(page));
  await page
    .locator('.blocklyToolboxCategory')
    .filter({ hasText: new RegExp(`^${category}$`) })
    .click();
  const flyoutBlock = page.locator(`.blocklyFlyout .blocklyBlockCanvas > g.${type}`).first();
  await expect(flyoutBlock).toBeVisible();
  const from = await outline(flyoutBlock);
  // Grab near the top left corner: past a value block's output tab, on the body above its fields.
  const grip = { dx: 12, dy: 4 };
  await page.mouse.move(from.x + grip.dx, from.y + grip.dy);
  await page.mouse.down();
  await page.mouse.move(from.x + grip.dx + 40, from.y + grip.dy + 10, { steps: 5 });
  await page.mouse.move(to.x + grip.dx, to.y + grip.dy, { steps: 15 });
  await page.mouse.up();
  const added = (await blockIds(page)).filter((id) => !before.has(id));
  const id = added[0];
  if (id === undefined) throw new Error(`dragging a ${type} block added none`);
  return id;
}

function runIdOf(rowText: string | null): string {
  const id = /#(\d+)/.exec(rowText ?? '')?.[1];
  if (id === undefined) throw new Error('no run id in the row');
  return id;
}

test('build blocks with the mouse, save a version, see a compile error on its block, run it', async ({
  page,
}) => {
  test.setTimeout(360_000);
  const tag = `${Date.now()}-${Math.floor(Math.random() * 1e6)}`;
  await page.goto('/sign-up');
  await page.getByLabel('Email').fill(`blocks-${tag}@example.com`);
  await page.getByRole('textbox', { name: 'Password', exact: true }).fill('Kestrel-Quartz-4821');
  await page.getByRole('button', { name: 'Create account' }).click();
  await expect(page).toHaveURL((url) => url.pathname === '/');

  await page
    .getByRole('navigation', { name: 'Main' })
    .getByRole('link', { name: 'Strategies' })
    .click();
  await expect(page).toHaveURL((url) => url.pathname === '/strategies');

  // A blank strategy.
  const form = page.getByRole('form', { name: 'New strategy' });
  await form.getByRole('textbox', { name: 'Name' }).fill('Log on close');
  await form.getByRole('button', { name: 'Create' }).click();
  await expect(page.getByRole('heading', { name: 'Log on close' })).toBeVisible();
  await expect(page.getByTestId('shown-version')).toHaveText('not saved');
  const canvas = page.locator('.blocklySvg .blocklyMainBackground');
  await expect(canvas).toBeVisible();
  const area = await canvas.boundingBox();
  if (area === null) throw new Error('no workspace');

  // The event block, dropped on the workspace.
  const hatId = await dragFromToolbox(page, 'Events', 'on_candle_close', {
    x: area.x + area.width * 0.3,
    y: area.y + 60,
  });
  const hat = block(page, hatId);
  const hatBox = await outline(hat);
  const hatLabel = await hat
    .locator(':scope > .blocklyText, :scope > g > .blocklyText')
    .first()
    .boundingBox();
  if (hatLabel === null) throw new Error('no label on the event block');

  // A log block, dropped into the event's "do" socket (to the right of its label): it connects.
  const logId = await dragFromToolbox(page, 'Output', 'log', {
    x: hatLabel.x + hatLabel.width + 12,
    y: hatBox.y + 4,
  });
  // Connected: Blockly moves a child block's SVG group inside its parent's.
  await expect(hat.locator(`.blocklyDraggable[data-id="${logId}"]`)).toHaveCount(1);
  await expect(page.getByTestId('unsaved')).toBeVisible();

  // Its message field: click it, type, Enter.
  const log = block(page, logId);
  await log
    .locator('.blocklyEditableText, .blocklyEditableField')
    .filter({ hasText: 'note' })
    .click();
  const editor = page.locator('.blocklyHtmlInput');
  await expect(editor).toBeVisible();
  await editor.fill('candle closed');
  await editor.press('Enter');
  await expect(log).toContainText('candle closed');

  // Save: version 1.
  await page.getByRole('button', { name: 'Save version' }).click();
  await expect(page.getByRole('status')).toHaveText('Saved as version 1.');
  await expect(page.getByTestId('shown-version')).toHaveText('version 1 (latest)');
  await expect(page.getByTestId('unsaved')).toBeHidden();
  await expect(page.getByTestId('version-row')).toHaveCount(1);
  const row = page.getByTestId('strategy-row').filter({ hasText: 'Log on close' });
  await expect(row).toContainText('v1');

  // An "if" with an empty condition, connected under the log.
  const logBox = await outline(log);
  const ifId = await dragFromToolbox(page, 'Logic', 'if_then', {
    x: logBox.x,
    y: logBox.y + logBox.height,
  });
  await expect(log.locator(`.blocklyDraggable[data-id="${ifId}"]`)).toHaveCount(1);

  // Validate: the server names the "if" block; the editor marks it and lists the message.
  await page.getByRole('button', { name: 'Validate' }).click();
  const errors = page.getByRole('list', { name: 'Compile errors' });
  await expect(errors).toContainText("the 'COND' input is empty");
  const ifBlock = block(page, ifId);
  await expect(ifBlock).toHaveClass(/strategyBlockError/);
  await expect(ifBlock.locator(':scope > .blocklyIconGroup')).toHaveCount(1);
  await expect(log).not.toHaveClass(/strategyBlockError/);

  // Clicking the message selects the block.
  await errors.getByRole('button', { name: "the 'COND' input is empty" }).click();
  await expect(ifBlock).toHaveClass(/blocklySelected/);
  await page.screenshot({ path: screenshotPath('strategies-compile-error.png'), fullPage: true });

  // Saving refuses the same workspace: still version 1.
  await page.getByRole('button', { name: 'Save version' }).click();
  await expect(errors).toContainText("the 'COND' input is empty");
  await expect(page.getByTestId('version-row')).toHaveCount(1);

  // Fix it into an EMA cross: "crosses" into the empty condition (its sockets hold number
  // shadows), validate: it compiles and the mark goes.
  const ifBox = await outline(ifBlock);
  const crossId = await dragFromToolbox(page, 'Logic', 'cross', {
    // A value block's outline starts at its output tab, which lands on the socket at the
    // block's right edge.
    x: ifBox.x + ifBox.width - 7,
    y: ifBox.y,
  });
  await expect(ifBlock.locator(`.blocklyDraggable[data-id="${crossId}"]`)).toHaveCount(1);
  await page.getByRole('button', { name: 'Validate' }).click();
  await expect(page.getByRole('status')).toHaveText('The strategy compiles.');
  await expect(errors).toBeHidden();
  await expect(ifBlock).not.toHaveClass(/strategyBlockError/);
  await expect(ifBlock.locator(':scope > .blocklyIconGroup')).toHaveCount(0);

  // EMA 9 onto the first number of "crosses", EMA 21 (its default period) onto the second.
  const cross = block(page, crossId);
  const fastId = await dragFromToolbox(
    page,
    'Indicators',
    'indicator_ema',
    await outline(cross.locator(':scope > g.number').first()),
  );
  await expect(cross.locator(`.blocklyDraggable[data-id="${fastId}"]`)).toHaveCount(1);
  const period = block(page, fastId).locator(':scope > .blocklyNumberField').first();
  await expect(period).toHaveText('21');
  await period.click();
  await expect(editor).toBeVisible();
  await editor.fill('9');
  await editor.press('Enter');
  await expect(period).toHaveText('9');
  const slowId = await dragFromToolbox(
    page,
    'Indicators',
    'indicator_ema',
    await outline(cross.locator(':scope > g.number').first()),
  );
  await expect(cross.locator(`.blocklyDraggable[data-id="${slowId}"]`)).toHaveCount(1);
  await expect(cross.locator(':scope > g.number')).toHaveCount(0);

  // "open LONG" into the if's "then" socket, to the right of its "then" label.
  const then = await ifBlock.locator(':scope > .blocklyLabelField').nth(1).boundingBox();
  if (then === null) throw new Error('no "then" label');
  const openId = await dragFromToolbox(page, 'Actions', 'open_position', {
    x: then.x + then.width + 12,
    y: then.y - 6,
  });
  await expect(ifBlock.locator(`.blocklyDraggable[data-id="${openId}"]`)).toHaveCount(1);
  // Sized as 1% of the balance (a quantity of 1 would be too much BTC, too little DOGE).
  const openBlock = block(page, openId);
  await openBlock
    .locator('.blocklyEditableText, .blocklyEditableField')
    .filter({ hasText: /^quantity/ })
    .click();
  await page
    .locator('.blocklyDropDownDiv .blocklyMenuItem')
    .filter({ hasText: '% of balance' })
    .click();
  await expect(openBlock).toContainText('% of balance');

  // Save: version 2, the latest; version 1 is still listed.
  await page.getByRole('button', { name: 'Save version' }).click();
  await expect(page.getByRole('status')).toHaveText('Saved as version 2.');
  await expect(page.getByTestId('shown-version')).toHaveText('version 2 (latest)');
  await expect(page.getByTestId('version-row')).toHaveCount(2);
  await expect(row).toContainText('v2');
  await page.screenshot({ path: screenshotPath('strategies-ema-cross.png'), fullPage: true });

  // What the server kept: after a reload the editor opens version 2 with the same blocks.
  await page.reload();
  await expect(page.getByTestId('shown-version')).toHaveText('version 2 (latest)');
  await expect(page.getByTestId('unsaved')).toBeHidden();
  await expect(page.locator(`${MAIN_BLOCKS}.indicator_ema`)).toHaveCount(2);
  await expect(page.locator(`${MAIN_BLOCKS}.cross .indicator_ema`)).toHaveCount(2);
  await expect(page.locator(`${MAIN_BLOCKS}.if_then .open_position`)).toHaveCount(1);
  await expect(page.locator(`${MAIN_BLOCKS}.log`)).toContainText('candle closed');
  expect(
    await page
      .locator(`${MAIN_BLOCKS}.indicator_ema`)
      .evaluateAll((nodes) =>
        nodes.map((n) => n.querySelector(':scope > .blocklyNumberField')?.textContent),
      ),
  ).toEqual(['9', '21']);

  // Run version 2 on the paper account (offered first) for a few symbols of the universe.
  await expect(page.getByRole('combobox', { name: 'Exchange account' })).toHaveValue(/\(paper\)/);
  const symbols = page.getByRole('combobox', { name: 'Symbols' });
  await symbols.click();
  const options = page.getByRole('option');
  await expect(options.first()).toBeVisible();
  const picked: string[] = [];
  // As many as a run takes (20): an EMA cross on one of them within the replay's next minutes.
  for (let i = 0; i < 20 && i < (await options.count()); i += 1) {
    const option = options.nth(i);
    picked.push((await option.textContent()) ?? '');
    await option.click();
  }
  await page.keyboard.press('Escape');
  expect(picked.length).toBeGreaterThan(0);
  await expect(page.getByTestId('run-blocker')).toBeHidden();
  await page.getByRole('button', { name: 'Start version 2' }).click();

  const runRow = page.getByTestId('run-row').first();
  await expect(runRow).toHaveAttribute('data-status', 'RUNNING');
  await expect(runRow).toContainText('v2');
  await expect(runRow).toContainText(picked[0] ?? '');
  // Each closed candle of each symbol logs a line, pushed over /ws/account/ as it happens.
  const logLines = page.getByTestId('run-log-line');
  await expect(logLines.filter({ hasText: 'candle closed' }).first()).toBeVisible({
    timeout: 60_000,
  });
  const seen = await logLines.count();
  await expect.poll(() => logLines.count(), { timeout: 30_000 }).toBeGreaterThan(seen);
  await expect(page.getByTestId('run-chart')).toBeVisible();

  // An EMA 9 / 21 cross on one of the symbols: its decision, its order, the run's position.
  const decision = page.getByTestId('run-decision').first();
  await expect(decision).toBeVisible({ timeout: 150_000 });
  {
    await expect(decision).toContainText('open LONG');
    // Placed: the order's client id carries the run's tag, and the sandbox fills it.
    const order = decision.getByTestId('run-order');
    await expect(order).toContainText(`s${runIdOf(await runRow.textContent())}`);
    await expect(order).toContainText('FILLED', { timeout: 30_000 });
    // The run holds a LONG on that symbol (its share of the account's position, by tag).
    const firedSymbol = decision.getByRole('button', { name: /^Show \w+ on the chart$/ });
    const symbolName = (await firedSymbol.textContent()) ?? '';
    await expect(page.getByTestId(`run-position-${symbolName}`)).toContainText('LONG', {
      timeout: 30_000,
    });
    // Its symbol on the chart: the decision (and the fill) drawn on its candles.
    await firedSymbol.click();
    await expect(page.getByTestId('run-chart')).not.toHaveAttribute('data-markers', '0', {
      timeout: 30_000,
    });
    await page.screenshot({ path: screenshotPath('strategies-run-decision.png'), fullPage: true });
  }
  await page.screenshot({ path: screenshotPath('strategies-run-log.png'), fullPage: true });

  // Pause, resume, stop (which asks first).
  const runId = runIdOf(await runRow.textContent());
  await runRow.getByRole('button', { name: `Pause run ${runId}` }).click();
  await expect(runRow).toHaveAttribute('data-status', 'PAUSED');
  await runRow.getByRole('button', { name: `Resume run ${runId}` }).click();
  await expect(runRow).toHaveAttribute('data-status', 'RUNNING');
  page.once('dialog', (dialog) => void dialog.accept());
  await runRow.getByRole('button', { name: `Stop run ${runId}` }).click();
  await expect(runRow).toHaveAttribute('data-status', 'STOPPED');
  await expect(runRow.getByRole('button', { name: /^(Pause|Resume|Stop) run/ })).toHaveCount(0);
});

test('a template opens with its blocks as version 1, and an older version loads', async ({
  page,
}) => {
  test.setTimeout(90_000);
  const tag = `${Date.now()}-${Math.floor(Math.random() * 1e6)}`;
  await page.goto('/sign-up');
  await page.getByLabel('Email').fill(`template-${tag}@example.com`);
  await page.getByRole('textbox', { name: 'Password', exact: true }).fill('Kestrel-Quartz-4821');
  await page.getByRole('button', { name: 'Create account' }).click();
  await expect(page).toHaveURL((url) => url.pathname === '/');
  await page.goto('/strategies');

  const form = page.getByRole('form', { name: 'New strategy' });
  await form.getByRole('combobox', { name: 'Start from' }).click();
  await page.getByRole('option', { name: 'EMA cross' }).click();
  await expect(form.getByRole('textbox', { name: 'Name' })).toHaveValue('EMA cross');
  await form.getByRole('button', { name: 'Create' }).click();
  await expect(page.getByRole('heading', { name: 'EMA cross' })).toBeVisible();
  await expect(page.getByTestId('shown-version')).toHaveText('version 1 (latest)');
  await expect(page.locator(MAIN_BLOCKS).filter({ hasText: 'crosses' }).first()).toBeVisible();

  // Save it again unchanged: version 2; load version 1 back: the immutability note.
  await page.getByRole('button', { name: 'Save version' }).click();
  await expect(page.getByRole('status')).toHaveText('Saved as version 2.');
  await page.getByRole('button', { name: 'Load version 1' }).click();
  await expect(page.getByTestId('shown-version')).toHaveText('version 1 of 2');
  await expect(page.getByTestId('old-version-note')).toContainText('saving makes version 3');
  await expect(page.getByTestId('unsaved')).toBeHidden();
  await expect(page.locator(MAIN_BLOCKS).filter({ hasText: 'crosses' }).first()).toBeVisible();
});
