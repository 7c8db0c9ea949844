// Run Mermaid's own gantt parser and task compiler on MANY charts in one process. stdin is one JSON
// object {package, charts: [text, ...], render: bool}; stdout is one JSON array with a result per
// chart, in order: {ok, error, warnings, title, tasks, config} (plus `render` when asked). A
// Mermaid failure is a result (ok:false); exit 2 means this harness itself is broken.
//
// `package` is the npm name to load: "mermaid" (12.3.0) or "mermaid11" (11.12.0, an npm alias).
// Dates are reported in the process's local time (the TZ environment variable, set by the caller),
// because that is how Mermaid reads and resolves them: a reader's time zone is part of the test.
//
// Isolation: Mermaid's gantt id table (`taskDb`, id -> index into the current chart's tasks) is
// module-global and its clear() never resets it, so in one process an id that chart 2 refers to
// but does not declare would resolve to whatever task of chart 2 sits at chart 1's index. Before
// each chart, the harness therefore parses a *flush chart*: as many filler tasks as the next chart
// has lines, then one task for every id an earlier chart may have stored and the next chart may
// look up. Each such id then points past the end of the next chart's task list, which is exactly
// what "unknown" means to Mermaid (findTaskById returns undefined), as in a fresh process.

import { readFileSync } from 'node:fs';

const HARNESS_BROKEN = 2;

function fail(message) {
  process.stderr.write(`mermaid-tasks: harness error: ${message}\n`);
  process.exit(HARNESS_BROKEN);
}

let request;
try {
  request = JSON.parse(readFileSync(0, 'utf8'));
} catch (err) {
  fail(`stdin is not a JSON request: ${err?.message ?? err}`);
}
const pkg = request.package ?? 'mermaid';
if (!['mermaid', 'mermaid11'].includes(pkg)) fail(`unknown package ${pkg}`);

let JSDOM, mermaid, dayjs, loadYaml, YAML_JSON_SCHEMA, window;
let warnings = [];
try {
  ({ JSDOM } = await import('jsdom'));
  // Mermaid's sanitizer (DOMPurify) needs a window at import time, or it fails with
  // "DOMPurify.addHook is not a function".
  ({ window } = new JSDOM('<!doctype html><html><body></body></html>', {
    pretendToBeVisual: true,
  }));
  globalThis.window = window;
  globalThis.document = window.document;

  // Mermaid's logger binds console.warn when initialize() sets the log level, so wrap it first.
  // Each call is (`%c<time> : WARN : `, 'color: orange', message...); keep only the message.
  console.warn = (...args) => {
    if (typeof args[0] === 'string' && / : WARN : $/.test(args[0])) args = args.slice(2);
    warnings.push(args.map(String).join(' '));
  };
  // stdout carries exactly one JSON array; anything else Mermaid or jsdom prints goes to stderr.
  console.log = console.info = console.debug = (...args) => console.error(...args);

  mermaid = (await import(pkg)).default;
  dayjs = (await import('dayjs')).default;
  // Mermaid's default logLevel is 'fatal', which silences the gantt warnings we want to report.
  mermaid.initialize({ startOnLoad: false, logLevel: 'warn' });

  // Mermaid reads front matter with its bundled js-yaml, which it does not export. Borrow the very
  // same loader through mermaid.core.mjs's own import line (the version is pinned exactly).
  const coreUrl = import.meta.resolve(pkg);
  const yamlChunk = readFileSync(new URL(coreUrl), 'utf8').match(
    /import\s*\{\s*JSON_SCHEMA,\s*load\s*\}\s*from\s*"([^"]+)"/,
  );
  if (!yamlChunk) fail("cannot find Mermaid's bundled YAML loader in mermaid.core.mjs");
  const yaml = await import(new URL(yamlChunk[1], coreUrl));
  ({ load: loadYaml, JSON_SCHEMA: YAML_JSON_SCHEMA } = yaml);
} catch (err) {
  fail(err?.stack ?? String(err));
}

// Mermaid passes the front-matter title only on its render() path (Diagram.fromText(code,
// {title})), which needs a layout engine; getDiagramFromText() drops it. So mirror
// extractFrontMatter(): frontMatterRegex is Mermaid's published rule, and its matchFrontMatter()
// is documented as a linear-time equivalent of it.
function frontMatterTitle(text) {
  const match = text
    .replace(/\r\n?/g, '\n')
    .match(/^([^\S\n\r]*)-{3}\s*[\n\r](.*?)[\n\r]\1-{3}\s*[\n\r]+/s);
  if (!match) return undefined;
  const [, indent, body] = match;
  const yaml = indent
    ? body.split('\n').map((l) => (l.startsWith(indent) ? l.slice(indent.length) : l)).join('\n')
    : body;
  const parsed = loadYaml(yaml, { schema: YAML_JSON_SCHEMA }) ?? {};
  return typeof parsed === 'object' && !Array.isArray(parsed) && parsed.title
    ? parsed.title.toString()
    : undefined;
}

// Before parsing, Mermaid turns `#58;` into `ﬂ°°58¶ß` and `#amp;` into `ﬂ°amp¶ß`; the SVG gets
// `&#58;` / `&amp;`, which the browser's HTML parser decodes; jsdom's parser gives the same text.
const scratch = window.document.createElement('textarea');
function decode(text) {
  return text.replace(/ﬂ°(°?)(\+?\w+)¶ß/g, (_, numeric, body) => {
    scratch.innerHTML = `&${numeric ? '#' : ''}${body};`;
    return scratch.value;
  });
}
// Mermaid's encodeEntities() for `#name;` (the part that concerns gantt text).
function encode(text) {
  return text.replace(/#\w+;/g, (s) => {
    const inner = s.slice(1, -1);
    return /^\+?\d+$/.test(inner) ? `ﬂ°°${inner}¶ß` : `ﬂ°${inner}¶ß`;
  });
}

// "YYYY-MM-DDTHH:MM:SS.sss" in the process's local time (TZ); null for tasks Mermaid never
// resolved (deep forward `after`s) or dates that are not dates.
const pad = (n, w = 2) => String(n).padStart(w, '0');
function iso(date) {
  if (!(date instanceof Date) || Number.isNaN(date.getTime())) return null;
  const y = date.getFullYear();
  const year = y < 0 ? `-${pad(-y, 6)}` : y > 9999 ? `+${pad(y, 6)}` : pad(y, 4);
  return (
    `${year}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:` +
    `${pad(date.getMinutes())}:${pad(date.getSeconds())}.${pad(date.getMilliseconds(), 3)}`
  );
}

// --- isolation between charts (see the header) ---------------------------------------------
const TAGS = new Set(['active', 'done', 'crit', 'milestone', 'vert']);
const stored = new Set(['undefined']); // every id an earlier chart may have put into taskDb
function tokens(text) {
  const out = new Set();
  for (const t of [text, encode(text)]) {
    for (const m of t.split(/[\s,:]+/)) if (m) out.add(m);
    for (const m of t.matchAll(/[\w-]+/g)) out.add(m[0]);
    // Ids are whole comma fields (they may hold spaces and colons); the field after a `:` too.
    for (const line of t.split('\n')) {
      const colon = line.indexOf(':');
      if (colon < 0) continue;
      for (const field of line.slice(colon + 1).split(',')) if (field.trim()) out.add(field.trim());
    }
  }
  return out;
}
function remember(text) {
  for (const t of tokens(text)) stored.add(t);
  const lines = text.split('\n').length;
  for (let i = 1; i <= lines + 1; i++) stored.add(`task${i}`);
}
async function flush(nextText) {
  const wanted = tokens(nextText);
  wanted.add('undefined');
  const ids = [...stored].filter(
    (id) => wanted.has(id) && !TAGS.has(id) && !/[#;\n%]/.test(id) && id.trim() === id,
  );
  const lines = nextText.split('\n').length + 1;
  const filler = Array.from({ length: lines }, () => 'f :2000-01-01, 1d');
  const flushText = ['gantt', 'dateFormat YYYY-MM-DD', ...filler, ...ids.map((id) => `x :${id}, 2000-01-01, 1d`)].join('\n');
  remember(flushText);
  const { db } = await mermaid.mermaidAPI.getDiagramFromText(flushText);
  db.getTasks();
}

// --- one chart --------------------------------------------------------------------------------
async function compileOne(text) {
  const result = { ok: true, error: null, warnings, title: '', tasks: [], config: {} };
  try {
    // mermaid.parse() is the path that applies front matter and %%{init}%% config (displayMode,
    // topAxis, ...); getDiagramFromText() parses again and hands us the db. Dates are only
    // resolved in db.getTasks(), which is where `Invalid date:` errors are thrown.
    const { diagramType } = await mermaid.parse(text);
    if (diagramType !== 'gantt') {
      throw new Error(`not a gantt chart (Mermaid detected ${diagramType})`);
    }
    const metadata = { title: frontMatterTitle(text) };
    const { db } = await mermaid.mermaidAPI.getDiagramFromText(text, metadata);
    const conf = mermaid.mermaidAPI.getConfig().gantt ?? {};
    result.title = decode(db.getDiagramTitle() ?? '').trim();
    // The values the renderer uses: a db value wins, else the (front matter / init) gantt config.
    // Strings are kept raw: e.g. `tickInterval  1month` stores " 1month", which render ignores.
    const friday = dayjs('2025-01-03');
    result.config = {
      dateFormat: db.getDateFormat(),
      axisFormat: db.getAxisFormat() || (conf.axisFormat ?? '%Y-%m-%d'),
      tickInterval: db.getTickInterval() || conf.tickInterval || null,
      excludes: db.getExcludes(),
      includes: db.getIncludes(),
      todayMarker: db.getTodayMarker(),
      displayMode: db.getDisplayMode() || conf.displayMode || '',
      topAxis: Boolean(db.topAxisEnabled() || conf.topAxis),
      weekday: db.getWeekday() || conf.weekday,
      // The db has no getter for `weekend`; ask its own weekend test whether a Friday is excluded.
      weekend: db.isInvalidDate(friday, 'YYYY-MM-DD', ['weekends'], []) ? 'friday' : 'saturday',
      inclusiveEndDates: db.endDatesAreInclusive(),
      links: Object.fromEntries(db.getLinks()),
    };
    result.accTitle = decode(db.getAccTitle?.() ?? '');
    result.accDescr = decode(db.getAccDescription?.() ?? '');

    const tasks = db.getTasks();
    // Names keep Mermaid's padding (`A   :a1, ...` gives "A   "); SVG text collapses it, so trim.
    result.tasks = tasks.map((t) => ({
      id: t.id,
      task: decode(t.task ?? '').trim(),
      section: decode(t.section ?? '').trim(),
      start: iso(t.startTime),
      end: iso(t.endTime),
      // With `excludes`, the bar is drawn to renderEndTime (last included day), not endTime.
      renderEnd: iso(t.renderEndTime),
      milestone: Boolean(t.milestone),
      vert: Boolean(t.vert),
      done: Boolean(t.done),
      active: Boolean(t.active),
      crit: Boolean(t.crit),
      order: t.order,
    }));
  } catch (err) {
    result.ok = false;
    result.error = err instanceof Error ? err.message : String(err?.message ?? err);
  }
  return result;
}

// --- rendering (jsdom has no layout: text is measured as 7 px per character) -------------------
function installLayoutStubs() {
  for (const name of ['CSSStyleSheet', 'SVGElement', 'Element', 'HTMLElement', 'Node', 'DOMParser']) {
    globalThis[name] ??= window[name];
  }
  const measure = function () {
    const text = this.textContent ?? '';
    return { x: 0, y: 0, width: text.length * 7, height: 14 };
  };
  window.SVGElement.prototype.getBBox = measure;
  window.SVGElement.prototype.getComputedTextLength = function () {
    return (this.textContent ?? '').length * 7;
  };
}
let renderCount = 0;
async function renderOne(text) {
  const id = `chart${++renderCount}`;
  const container = window.document.createElement('div');
  window.document.body.appendChild(container);
  try {
    const { svg } = await mermaid.render(id, text, container);
    const doc = new window.DOMParser().parseFromString(svg, 'image/svg+xml');
    const texts = [...doc.querySelectorAll('text')].map((t) => t.textContent);
    return {
      ok: true,
      error: null,
      svgLength: svg.length,
      errorBox: Boolean(doc.querySelector('.error-icon, .error-text')) || /Maximum text size/.test(svg),
      taskRects: doc.querySelectorAll('rect.task').length,
      taskTexts: [...doc.querySelectorAll('text.taskText, text.taskTextOutsideRight, text.taskTextOutsideLeft')].map((t) => t.textContent),
      ticks: doc.querySelectorAll('g.grid g.tick').length,
      verts: doc.querySelectorAll('.vert').length,
      sectionTitles: [...doc.querySelectorAll('text.sectionTitle')].map((t) => t.textContent),
      title: doc.querySelector('text.titleText')?.textContent ?? null,
      texts,
    };
  } catch (err) {
    return { ok: false, error: err instanceof Error ? err.message : String(err?.message ?? err) };
  } finally {
    container.remove();
    window.document.getElementById(id)?.remove();
    window.document.getElementById(`d${id}`)?.remove();
  }
}

const out = [];
try {
  if (request.render) installLayoutStubs();
  for (const text of request.charts) {
    await flush(text);
    warnings = [];
    const result = await compileOne(text);
    if (request.render) {
      await flush(text);
      result.render = await renderOne(text);
    }
    remember(text);
    out.push(result);
  }
} catch (err) {
  fail(err?.stack ?? String(err));
}
process.stdout.write(`${JSON.stringify(out)}\n`);
