// Open pages in Debian's headless Chromium (driven by playwright-core, which downloads no browser)
// and report what Mermaid drew, for the Python tests (tests/browser.py). One browser process for
// all pages. Reads one JSON object from stdin:
//   {"chromium": "/usr/bin/chromium", "timeout_ms": 20000, "concurrency": 2,
//    "pages": [{"url": "http://127.0.0.1:PORT/plan.html", "screenshot": "/dir/plan"}]}
// and prints one JSON list, one entry per page, in input order:
//   {"url", "errors": [console errors and uncaught exceptions], "dialogs": [alert() texts],
//    "scripts_in_content": n, "ms": time spent on the page,
//    "charts": [{"error", "title", "description", "sections", "tasks", "screenshot"}]}
// A page whose charts never appear is a result (errors says so). Exit 2: this harness is broken.

import { readFileSync } from 'node:fs';

const HARNESS_BROKEN = 2;
// Flags for a clean, quiet, offline browser: no GPU, no sandbox (CI runs as root), no first-run
// screens, and none of Chromium's own network traffic (updates, sync, QUIC probes).
const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

function fail(message) {
  process.stderr.write(`draw: harness error: ${message}\n`);
  process.exit(HARNESS_BROKEN);
}

let request, chromium;
try {
  request = JSON.parse(readFileSync(0, 'utf8'));
  ({ chromium } = await import('playwright-core'));
} catch (err) {
  fail(err?.stack ?? String(err));
}

// Runs in the page: what Mermaid drew inside each element it was asked to draw (the layout runs
// Mermaid on `.language-mermaid`, as just-the-docs does).
function readCharts() {
  const text = (el) => (el ? el.textContent : null);
  return [...document.querySelectorAll('.language-mermaid')].map((block) => {
    const svg = block.querySelector('svg');
    if (!svg) return { error: 'no svg', title: null, sections: [], tasks: [] };
    const role = svg.getAttribute('aria-roledescription');
    const failed = role === 'error' || /Syntax error/.test(svg.textContent);
    const tasks = [...svg.querySelectorAll('rect.task')].map((rect) => {
      const label = svg.querySelector(`[id="${rect.id}-text"]`);
      const kind = rect.classList.contains('vert')
        ? 'marker'
        : rect.classList.contains('milestone')
          ? 'milestone'
          : 'task';
      return { kind, classes: [...rect.classList], text: text(label) };
    });
    return {
      // Mermaid's error diagram: its <text> elements ("Syntax error in text", the parse error).
      error: failed
        ? [...svg.querySelectorAll('text')].map((t) => t.textContent).join(' ') || role
        : null,
      role,
      title: text(svg.querySelector('text.titleText')),
      // Mermaid's accessible description (accDescr): the svg's own <desc> element.
      description: text(svg.querySelector(':scope > desc')),
      sections: [...svg.querySelectorAll('text.sectionTitle')].map((t) => t.textContent),
      tasks,
    };
  });
}

let browser;
try {
  browser = await chromium.launch({
    executablePath: request.chromium,
    headless: true,
    args: FLAGS,
    timeout: request.timeout_ms,
  });
} catch (err) {
  fail(`cannot start ${request.chromium}: ${err?.message ?? err}`);
}

async function open(context, { url, screenshot }) {
  const started = Date.now();
  const page = await context.newPage();
  const errors = [];
  const dialogs = [];
  page.on('console', (msg) => {
    if (msg.type() === 'error') errors.push(`console: ${msg.text()}`);
  });
  page.on('pageerror', (err) => errors.push(`exception: ${err.message}`));
  page.on('requestfailed', (req) => errors.push(`request failed: ${req.url()}`));
  page.on('dialog', (dialog) => {
    dialogs.push(dialog.message());
    dialog.dismiss().catch(() => {});
  });
  const result = { url, errors, dialogs, scripts_in_content: 0, charts: [] };
  try {
    const response = await page.goto(url, { waitUntil: 'load', timeout: request.timeout_ms });
    if (!response || !response.ok()) errors.push(`HTTP ${response?.status()} for ${url}`);
    await page
      .waitForFunction(
        () =>
          [...document.querySelectorAll('.language-mermaid')].every((b) => b.querySelector('svg')),
        null,
        { timeout: request.timeout_ms },
      )
      .catch(() => errors.push('timed out waiting for Mermaid to draw every chart'));
    result.scripts_in_content = await page.evaluate(
      () => document.querySelectorAll('#main-content script').length,
    );
    result.charts = await page.evaluate(readCharts);
    if (screenshot) {
      const svgs = page.locator('.language-mermaid svg');
      const count = await svgs.count();
      for (let i = 0; i < count; i++) {
        const path = `${screenshot}${count > 1 ? `-${i + 1}` : ''}.png`;
        await svgs.nth(i).screenshot({ path });
        result.charts[i].screenshot = path;
      }
    }
  } catch (err) {
    errors.push(`driver: ${err?.message ?? err}`);
  }
  await page.close();
  result.ms = Date.now() - started;
  return result;
}

// A few pages at a time: most of a page's time is Chromium evaluating Mermaid's 5 MB script.
const results = new Array(request.pages.length);
try {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  let next = 0;
  const worker = async () => {
    while (next < request.pages.length) {
      const i = next++;
      results[i] = await open(context, request.pages[i]);
    }
  };
  await Promise.all(Array.from({ length: request.concurrency ?? 1 }, worker));
} finally {
  await browser.close();
}
process.stdout.write(JSON.stringify(results));
