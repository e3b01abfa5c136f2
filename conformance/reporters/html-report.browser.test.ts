import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { showRun } from './render-reports.js';

/**
 * report.html in a real browser: the system Chromium (Debian package `chromium`, installed by
 * .ci/run), driven by playwright-core; never a downloaded browser. Offline, from a file.
 */
const CHROMIUM = '/usr/bin/chromium';
const hasChromium = existsSync(CHROMIUM);
if (!hasChromium)
  console.warn(
    `${CHROMIUM} not found: report.html browser test skipped (apt-get install chromium; .ci/run does)`,
  );

const fixture = fileURLToPath(new URL('./testdata/payload-run/', import.meta.url));
/** Screenshots land here (ignored by git) for CI to keep as artefacts. */
const artefacts = fileURLToPath(new URL('../../reports/browser-test/', import.meta.url));

describe.skipIf(!hasChromium)('report.html in Chromium', () => {
  let context: BrowserContext;
  let page: Page;
  let userData: string;
  const problems: string[] = [];
  const requests: string[] = [];

  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'swaram-html-'));
    cpSync(fixture, dir, { recursive: true });
    await showRun(dir, ['html'], { env: {} });
    userData = mkdtempSync(join(tmpdir(), 'swaram-chromium-'));
    context = await chromium.launchPersistentContext(userData, {
      executablePath: CHROMIUM,
      headless: true,
      offline: true,
      viewport: { width: 1280, height: 900 },
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    await context.grantPermissions(['clipboard-read', 'clipboard-write']).catch(() => undefined);
    page = context.pages()[0] ?? (await context.newPage());
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') problems.push(`${m.type()}: ${m.text()}`);
    });
    page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
    page.on('request', (r) => requests.push(r.url()));
    await page.goto(pathToFileURL(join(dir, 'report.html')).href);
    await page.waitForSelector('html[data-ready="yes"]', { timeout: 10_000 });
  }, 60_000);

  afterAll(async () => {
    await context?.close();
    if (userData) rmSync(userData, { recursive: true, force: true });
  });

  it('opens from a file with no console errors and no other request', async () => {
    expect(problems).toEqual([]);
    expect(requests.filter((u) => !u.startsWith('file:'))).toEqual([]);
  });

  it('shows the verdict table and filters it by status and level', async () => {
    const visible = () =>
      page.$$eval('tr.rule', (rows) =>
        rows.filter((r) => !(r as unknown as { hidden: boolean }).hidden).map((r) => r.id),
      );
    expect(await visible()).toEqual([
      'rule-TOOL-ANSWER',
      'rule-HARNESS-CASE',
      'rule-ERROR-SURVIVE',
      'rule-BARGE-STOP',
      'rule-PTT-COMMIT',
    ]);
    await page.uncheck('input[data-filter="status"][value="pass"]');
    await page.uncheck('input[data-filter="level"][value="SHOULD"]');
    expect(await visible()).toEqual(['rule-TOOL-ANSWER', 'rule-HARNESS-CASE']);
    expect(await page.textContent('#rule-count')).toBe('2');
    await page.check('input[data-filter="status"][value="pass"]');
    await page.check('input[data-filter="level"][value="SHOULD"]');
    expect(await visible()).toHaveLength(5);
  });

  it('renders each metric chart with every sample and its budget', async () => {
    const chart = page.locator('#metric-L_stop svg.chart');
    expect(await chart.locator('circle.dot').count()).toBe(4);
    expect(await chart.locator('circle.dot.over').count()).toBe(1);
    const box = await chart.locator('line.budget').boundingBox();
    expect(box?.height).toBeGreaterThan(20);
    expect(await page.locator('#metric-L_ready').textContent()).toContain('no samples');
  });

  it('draws a timeline only when its run opens, and evidence links highlight the frame', async () => {
    expect(await page.locator('details.run[data-run="r1"] svg.tl-chart').count()).toBe(0);
    await page.click('#rule-TOOL-ANSWER a.ev[data-row="f9"]');
    const row = page.locator('#r1-f9');
    await expect.poll(() => row.getAttribute('class')).toContain('hl');
    expect(await page.locator('details.run[data-run="r1"]').getAttribute('open')).not.toBeNull();
    expect(await row.isVisible()).toBe(true);
    expect(await row.textContent()).toContain('response.function_call_arguments.done');
    expect(await row.locator('pre.detail').isVisible()).toBe(true);
    // scrolled into view: boundingBox() is relative to the viewport
    const box = (await row.boundingBox())!;
    expect(box.y).toBeGreaterThanOrEqual(0);
    expect(box.y + box.height).toBeLessThanOrEqual(page.viewportSize()!.height);
    expect(await page.locator('svg.tl-chart rect.mark.hl').getAttribute('data-row')).toBe('f9');
    expect(await page.locator('svg.tl-chart rect.mark').count()).toBe(25);
    expect(page.url()).toMatch(/#r1-f9$/);
    // an observation, from the scenario's own list of problems
    await page.click('details.run[data-run="r1"] a.ev[data-row="o5"]');
    await expect.poll(() => page.locator('#r1-o5').getAttribute('class')).toContain('hl');
    expect(await page.locator('#r1-f9').getAttribute('class')).not.toContain('hl');
    // audio chunks are hidden until asked for
    expect(await page.locator('#r1-f3').isVisible()).toBe(false);
    await page.check('details.run[data-run="r1"] input.show-chunks');
    expect(await page.locator('#r1-f3').isVisible()).toBe(true);
    mkdirSync(artefacts, { recursive: true });
    await page.locator('#r1-f9').scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(artefacts, 'report-timeline.png') });
  });

  it('shows what the client said as text, and none of it runs', async () => {
    const text = (await page.evaluate('document.body.innerText')) as string;
    expect(text).toContain('payload<script>window.__pwned=1</script>');
    expect(text).toContain('tool <img src=x onerror="window.__pwned=1"> answered with </script>');
    expect(await page.locator('#r1-o2').textContent()).toContain(
      'assistant (partial): <script>window.__pwned=1</script><img src=x onerror="window.__pwned=1">',
    );
    expect(await page.locator('#r1-c1x').textContent()).toContain(
      'closed 1000 "</script><script>window.__pwned=1</script>" by client',
    );
    expect(await page.locator('details.run[data-run="r1"] details.log pre').textContent()).toBe(
      'stderr: </script><script>window.__pwned=1</script>\nstderr: <img src=x onerror="window.__pwned=1">',
    );
    // hover titles hold client strings too
    await page.hover('#metric-L_stop circle.dot >> nth=0');
    expect(await page.evaluate('window.__pwned')).toBe(undefined);
    expect(await page.locator('img').count()).toBe(0);
    expect(await page.locator('script').count()).toBe(2);
  });

  it('opens a linked row from the URL (report.html#r1-o4)', async () => {
    const url = page.url().replace(/#.*$/, '');
    await page.goto('about:blank');
    await page.goto(`${url}#r1-o4`);
    await page.waitForSelector('html[data-ready="yes"]');
    await expect.poll(() => page.locator('#r1-o4').getAttribute('class')).toContain('hl');
    expect(await page.locator('#r1-o4').textContent()).toContain('tool.invoke <img src=x');
  });

  it('copies the replay command', async () => {
    const button = page.locator('button.copy[data-copy="replay-all"]');
    await button.click();
    await expect.poll(() => button.getAttribute('data-copied')).not.toBeNull();
    // the Clipboard API works here: the page is a secure context and the test granted it
    expect(await button.getAttribute('data-copied')).toBe('yes');
    expect(await page.evaluate('navigator.clipboard.readText()')).toBe(
      "swaram-conform --target 'x</script><script>window.__pwned=1</script>'",
    );
    expect(await button.textContent()).toBe('copied');
    await page.evaluate('window.scrollTo(0, 0)');
    mkdirSync(artefacts, { recursive: true });
    await page.screenshot({ path: join(artefacts, 'report.png') });
    expect(problems).toEqual([]);
  });
});
