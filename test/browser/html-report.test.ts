/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
/**
 * The HTML report in a real browser (headless Chromium through playwright-core): the chart is drawn, no
 * script error, no dialog, and not one request leaves the page, for the normal and the hostile report.
 * Chromium comes from Debian's `chromium` package (`.ci/run` installs it). Without it the suite fails
 * in CI and is skipped, with the reason, on a developer machine.
 */
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import type { IncidentReport } from '../../src/analysis/incident-report.js';
import { renderIncident } from '../../src/report/render-incident.js';
import { emptyReport, kyvernoFloodReport, noFailureReport } from '../report/fixtures.js';
import { hostileReport } from '../report/hostile-fixture.js';

const executablePath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const inCi = process.env.CI !== undefined && process.env.CI !== '' && process.env.CI !== 'false';
const skipReason =
  !existsSync(executablePath) && !inCi
    ? `Chromium not found at ${executablePath} (set CHROMIUM_PATH; CI installs it)`
    : null;
if (skipReason !== null) console.warn(`test/browser/html-report.test.ts skipped: ${skipReason}`);

// The document is served by the route handler itself: every other request is recorded and refused.
const DOCUMENT_URL = 'https://report.test/incident.html';

interface Visit {
  page: Page;
  requests: string[];
  errors: string[];
  dialogs: string[];
}

let browser: Browser | undefined;

async function open(report: IncidentReport | { rawHtml: string }): Promise<Visit> {
  if (browser === undefined) throw new Error('browser not started');
  const html = 'rawHtml' in report ? report.rawHtml : renderIncident(report, 'html', { color: false });
  const page = await browser.newPage();
  const visit: Visit = { page, requests: [], errors: [], dialogs: [] };
  await page.route('**/*', async (route) => {
    const url = route.request().url();
    if (url === DOCUMENT_URL) {
      await route.fulfill({ status: 200, contentType: 'text/html; charset=utf-8', body: html });
      return;
    }
    visit.requests.push(url);
    await route.abort();
  });
  page.on('request', (request) => {
    if (request.url() !== DOCUMENT_URL && !visit.requests.includes(request.url()))
      visit.requests.push(request.url());
  });
  page.on('pageerror', (error) => visit.errors.push(`pageerror: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error' || message.type() === 'warning')
      visit.errors.push(`console ${message.type()}: ${message.text()}`);
  });
  page.on('dialog', (dialog) => {
    visit.dialogs.push(dialog.message());
    void dialog.dismiss();
  });
  await page.goto(DOCUMENT_URL, { waitUntil: 'load' });
  // Give anything deferred (image loads, timers an injection might set up) a moment to show itself.
  await page.waitForTimeout(300);
  return visit;
}

interface DrawnChart {
  bars: number;
  failureLine: { width: number; height: number } | null;
  axisLabels: string[];
  title: string;
}

async function chart(page: Page): Promise<DrawnChart> {
  return page.evaluate(() => {
    const svg = document.querySelector('svg.chart');
    if (svg === null) return { bars: 0, failureLine: null, axisLabels: [], title: '' };
    const visible = (el: Element): boolean => {
      const box = el.getBoundingClientRect();
      return box.width > 0 && box.height > 0;
    };
    const line = svg.querySelector('path.failures');
    const box = line?.getBoundingClientRect();
    return {
      bars: [...svg.querySelectorAll('g.writes rect')].filter(visible).length,
      failureLine: box === undefined ? null : { width: box.width, height: box.height },
      axisLabels: [...svg.querySelectorAll('text.tick')].map((t) => t.textContent ?? ''),
      title: svg.querySelector('title')?.textContent ?? '',
    };
  });
}

describe.skipIf(skipReason !== null)('HTML report in headless Chromium', () => {
  beforeAll(async () => {
    const { chromium } = await import('playwright-core');
    browser = await chromium.launch({
      executablePath,
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
  });

  afterAll(async () => {
    await browser?.close();
  });

  it('control: the harness does see a request, a dialog and a script error when a page has them', async () => {
    const rawHtml =
      '<!DOCTYPE html><html><body><img src="https://evil.example/x.png"><script>alert("fired"); undefinedFunction();</script></body></html>';
    const { page, requests, errors, dialogs } = await open({ rawHtml });
    expect(requests).toContain('https://evil.example/x.png');
    expect(dialogs).toEqual(['fired']);
    expect(errors.some((e) => e.includes('undefinedFunction'))).toBe(true);
    await page.close();
  });

  it('draws the chart, with no error and no request leaving the page', async () => {
    const { page, requests, errors, dialogs } = await open(kyvernoFloodReport());
    const drawn = await chart(page);
    expect(drawn.bars).toBeGreaterThan(100);
    expect(drawn.failureLine?.width).toBeGreaterThan(0);
    expect(drawn.failureLine?.height).toBeGreaterThan(0);
    expect(drawn.axisLabels).toContain('12:00');
    expect(drawn.title).toMatch(/^Writes and failures per 5m/);
    expect(await page.title()).toBe('etcd incident: cluster prod-trading');
    expect(await page.locator('#timeline tbody tr').count()).toBe(kyvernoFloodReport().timeline.length);
    expect(requests).toEqual([]);
    expect(errors).toEqual([]);
    expect(dialogs).toEqual([]);
    await page.close();
  });

  it('applies the stylesheet allowed by the CSP hash and keeps the chart when printing', async () => {
    const { page, errors } = await open(kyvernoFloodReport());
    const border = await page.evaluate(
      () => getComputedStyle(document.querySelector('.verdict') as Element).borderLeftWidth,
    );
    expect(border).toBe('6px');
    await page.emulateMedia({ media: 'print' });
    expect((await chart(page)).bars).toBeGreaterThan(100);
    const pdf = await page.pdf({ format: 'A4' });
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('keeps the hostile report inert: no script, no handler, no dialog, no request', async () => {
    const report = hostileReport();
    const { page, requests, errors, dialogs } = await open(report);
    const dom = await page.evaluate(() => ({
      scripts: document.querySelectorAll('script').length,
      images: document.querySelectorAll(
        'img, image, iframe, object, embed, link, base, form, meta[http-equiv="refresh"]',
      ).length,
      handlers: [...document.querySelectorAll('*')]
        .flatMap((el) => [...el.attributes].map((a) => a.name))
        .filter((name) => name.startsWith('on')),
      hrefs: [...document.querySelectorAll('[href]')].map((el) => el.getAttribute('href') ?? ''),
      text: document.body.textContent ?? '',
      bodyVisible: getComputedStyle(document.body).display !== 'none',
      title: document.title,
    }));
    expect(dom.scripts).toBe(0);
    expect(dom.images).toBe(0);
    expect(dom.handlers).toEqual([]);
    for (const href of dom.hrefs) expect(href).toMatch(/^https:\/\/us-east-1\.console\.aws\.amazon\.com\//);
    expect(dom.text).toContain('<script>alert(1)</script>');
    expect(dom.text).toContain('"><img src=x onerror=alert(1)>');
    expect(dom.bodyVisible).toBe(true);
    expect(dom.title).toBe('etcd incident: cluster prod<script>alert(1)</script>');
    expect((await chart(page)).bars).toBeGreaterThan(100);
    expect(requests).toEqual([]);
    expect(errors).toEqual([]);
    expect(dialogs).toEqual([]);
    await page.close();
  });

  it('renders the no-failure and empty reports without errors', async () => {
    for (const report of [noFailureReport(), emptyReport()]) {
      const { page, requests, errors } = await open(report);
      expect(await page.locator('h1').textContent()).toMatch(/^etcd incident: local files/);
      expect(requests).toEqual([]);
      expect(errors).toEqual([]);
      await page.close();
    }
  });
});

if (skipReason !== null) it.skip(`browser test skipped: ${skipReason}`, () => {});
